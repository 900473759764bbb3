/**
 * GatherV2 as one TypedArray copy per gathered slice (`set` of a `subarray`: a memcpy), instead of
 * tfjs's cpu kernel, which moves each element through TensorBuffer.indexToLoc / locToIndex (the
 * word-embedding lookup of a MiniLM-sized encoder, 2048 rows of 384 from [30522, 384]: ~20 ms a
 * call there, ~1 ms here, into a recycled output buffer). Any axis and batchDims (tfjs's collectGatherOpShapeInfo view
 * [batch, outer, dim, slice]); strings and complex go to the cpu kernel. Same index check and error
 * as the cpu kernel. The gradient (tfjs's, UnsortedSegmentSum) is unchanged.
 */
import { backend_util, GatherV2, type GatherV2Attrs, type GatherV2Inputs, type KernelConfig, type KernelFunc, type TensorInfo, type TypedArray, util } from '@tensorflow/tfjs-core';
import { alloc, cpuKernel, type KernelArgs } from './util.js';

export function gatherV2(args: KernelArgs<GatherV2Inputs, GatherV2Attrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo, indices = inputs.indices as TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64') return cpuKernel(GatherV2)(args as never) as TensorInfo;
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const idx = backend.data.get(indices.dataId).values as TypedArray;
  const axisDim = x.shape[axis];
  for (let i = 0; i < idx.length; i++) {
    const index = idx[i];
    util.assert(index <= axisDim - 1 && index >= 0, () => `GatherV2: the index value ${index} is not in [0, ${axisDim - 1}]`);
  }
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x as never, indices as never, axis, attrs.batchDims ?? 0);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const src = backend.data.get(x.dataId).values as TypedArray;
  const perBatch = batchSize === 0 ? 0 : idx.length / batchSize; // indices per batch element
  const n = batchSize * outerSize * perBatch * sliceSize;
  // float32: a recycled buffer (a fresh 3 MB array costs more in page faults than the copy); every element is written
  const out = x.dtype === 'float32' ? alloc(backend, n) : (util.getTypedArrayFromDType(x.dtype as 'int32', n) as TypedArray);
  let o = 0; // out is [batch, outer, perBatch, slice], written in order
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outerSize; r++) {
      const base = (b * outerSize + r) * dimSize; // row (b, r, 0) of x viewed as [batch, outer, dim, slice]
      for (let i = 0; i < perBatch; i++, o += sliceSize) {
        const from = (base + idx[b * perBatch + i]) * sliceSize;
        out.set(src.subarray(from, from + sliceSize), o);
      }
    }
  }
  return backend.makeTensorInfo(info.outputShape, x.dtype, out);
}

export const gatherV2Config: KernelConfig = {
  kernelName: GatherV2,
  backendName: 'native',
  kernelFunc: gatherV2 as unknown as KernelFunc,
};
