// Quick convolution timings, native vs cpu: `npm run build && node bench/conv-quick.mjs [--cpu]`
// (CONTRASTIVE_THREADS=n to set the native threads, REPS=n repetitions).
// Median ms of conv2d forward and forward+backward (tf.grads wrt x and filter, given dy), NHWC,
// 'same' padding, stride 1, through tfjs (output allocation included); then one depthwise case.
// With --cpu the cpu backend is timed once per case, forward only (it takes seconds).
import * as tf from '@tensorflow/tfjs-core';
import { nativeBackendInfo } from '../dist/backend/index.js';

const withCpu = process.argv.includes('--cpu');
const reps = Number(process.env.REPS ?? 7);
const cases = [
  // [batch, H, W, Cin, Cout, F]: the reference case, then the small-CNN SimCLR step's layers.
  [64, 32, 32, 64, 64, 3],
  [512, 28, 28, 1, 32, 3],
  [512, 14, 14, 32, 64, 3],
  [512, 7, 7, 64, 128, 3],
];

function median(fn, n) {
  fn(); // warm-up
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(n / 2)];
}
const once = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

const info = nativeBackendInfo();
console.log(`native: threads=${info.threads} kernel=${info.gemmKernel}`);
for (const [B, H, W, C, O, F] of cases) {
  const x = tf.randomNormal([B, H, W, C]), f = tf.randomNormal([F, F, C, O]), dy = tf.randomNormal([B, H, W, O]);
  // (tidy must not return the typed arrays: it would walk every element looking for tensors.)
  const fwd = () => tf.tidy(() => { tf.conv2d(x, f, 1, 'same').dataSync(); });
  const fwdBwd = () => tf.tidy(() => { tf.grads((a, b) => tf.conv2d(a, b, 1, 'same'))([x, f], dy).forEach((t) => t.dataSync()); });
  tf.setBackend('native');
  const nf = median(fwd, reps), nfb = median(fwdBwd, reps);
  const gflop = (2 * B * H * W * C * O * F * F) / 1e9;
  let line = `conv2d B=${B} ${H}x${W} ${C}->${O} ${F}x${F}: native fwd ${nf.toFixed(1)} ms (${(gflop / nf * 1e3).toFixed(0)} GFLOP/s direct-equivalent), fwd+bwd ${nfb.toFixed(1)} ms`;
  if (withCpu) {
    tf.setBackend('cpu');
    const cf = once(fwd);
    line += `; cpu fwd ${cf.toFixed(0)} ms (native x${(cf / nf).toFixed(0)})`;
  }
  console.log(line);
  tf.dispose([x, f, dy]);
}
{
  const x = tf.randomNormal([64, 32, 32, 64]), f = tf.randomNormal([3, 3, 64, 1]), dy = tf.randomNormal([64, 32, 32, 64]);
  const fwd = () => tf.tidy(() => { tf.depthwiseConv2d(x, f, 1, 'same').dataSync(); });
  const fwdBwd = () => tf.tidy(() => { tf.grads((a, b) => tf.depthwiseConv2d(a, b, 1, 'same'))([x, f], dy).forEach((t) => t.dataSync()); });
  tf.setBackend('native');
  let line = `depthwise B=64 32x32 64 3x3: native fwd ${median(fwd, reps).toFixed(1)} ms, fwd+bwd ${median(fwdBwd, reps).toFixed(1)} ms`;
  if (withCpu) {
    tf.setBackend('cpu');
    line += `; cpu fwd ${once(fwd).toFixed(0)} ms, fwd+bwd ${once(fwdBwd).toFixed(0)} ms`;
  }
  console.log(line);
  tf.dispose([x, f, dy]);
}
