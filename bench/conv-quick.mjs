// Quick convolution timings, native vs cpu: `npm run build && node bench/conv-quick.mjs [--cpu]`.
// Median ms of conv2d forward and forward+backward (tf.grads wrt x and filter, given dy), NHWC,
// 'same' padding, stride 1. The cpu backend is timed once per case, forward only, with --cpu.
import * as tf from '@tensorflow/tfjs-core';
import { nativeBackendInfo } from '../dist/backend/index.js';

const withCpu = process.argv.includes('--cpu');
const reps = Number(process.env.REPS ?? 7);
const cases = [
  // [batch, H, W, Cin, Cout, F]
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

const info = nativeBackendInfo();
console.log(`native: threads=${info.threads} kernel=${info.gemmKernel}`);
for (const [B, H, W, C, O, F] of cases) {
  const x = tf.randomNormal([B, H, W, C]), f = tf.randomNormal([F, F, C, O]), dy = tf.randomNormal([B, H, W, O]);
  // (tidy must not return the typed arrays: it would walk every element looking for tensors.)
  const fwd = () => tf.tidy(() => { tf.conv2d(x, f, 1, 'same').dataSync(); });
  const fwdBwd = () => tf.tidy(() => { tf.grads((a, b) => tf.conv2d(a, b, 1, 'same'))([x, f], dy).map((t) => t.dataSync()); });
  tf.setBackend('native');
  const nf = median(fwd, reps), nfb = median(fwdBwd, reps);
  let line = `B=${B} ${H}x${W} ${C}->${O} ${F}x${F}: native fwd ${nf.toFixed(1)} ms, fwd+bwd ${nfb.toFixed(1)} ms`;
  const gflop = (2 * B * H * W * C * O * F * F) / 1e9;
  line += ` (${(gflop / nf * 1e3).toFixed(0)} GFLOP/s fwd)`;
  if (withCpu) {
    tf.setBackend('cpu');
    const t0 = performance.now();
    fwd();
    const cf = performance.now() - t0;
    line += `; cpu fwd ${cf.toFixed(0)} ms (x${(cf / nf).toFixed(0)})`;
  }
  console.log(line);
  tf.dispose([x, f, dy]);
}
