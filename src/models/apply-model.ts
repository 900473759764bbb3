/**
 * Runs a tfjs-layers model on a view input: a tensor goes in as it is; named tensors go in as the
 * model's inputs of those names, in the model's input order (text: ids and attention mask).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { isTensor, type ViewInput } from '../data/batch.js';

export function applyModel(model: LayersModel, x: ViewInput, training: boolean): Tensor {
  if (isTensor(x)) return model.apply(x, { training }) as Tensor;
  const names = model.inputNames;
  const inputs = names.map((n) => {
    const t = x[n];
    if (!t) throw new Error(`applyModel: the model '${model.name}' takes inputs ${names.join(', ')}, received ${Object.keys(x).join(', ') || 'none'}`);
    return t;
  });
  return model.apply(inputs.length === 1 ? inputs[0] : inputs, { training }) as Tensor;
}
