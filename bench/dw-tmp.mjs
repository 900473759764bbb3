import * as tf from '@tensorflow/tfjs-core';
import '../dist/backend/index.js';
const x = tf.randomNormal([64, 32, 32, 64]), f = tf.randomNormal([3, 3, 64, 1]), dy = tf.randomNormal([64, 32, 32, 64]);
const run = (fn, n) => { fn(); const ts = []; for (let i = 0; i < n; i++) { const t = performance.now(); fn(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); return ts[n >> 1]; };
for (const be of ['native', 'cpu']) {
  tf.setBackend(be);
  const n = be === 'cpu' ? 1 : 7;
  const fwd = run(() => tf.tidy(() => { tf.depthwiseConv2d(x, f, 1, 'same').dataSync(); }), n);
  const bwd = run(() => tf.tidy(() => { tf.grads((a, b) => tf.depthwiseConv2d(a, b, 1, 'same'))([x, f], dy).forEach((t) => t.dataSync()); }), n);
  console.log(be, 'depthwise fwd', fwd.toFixed(1), 'ms; fwd+bwd', bwd.toFixed(1), 'ms');
}
