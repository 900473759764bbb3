/**
 * Momentum (exponential moving average) networks, as in MoCo (He et al. 2019) and BYOL (Grill et
 * al. 2020): the target's trained parameters follow the online network's,
 *
 *   target <- m * target + (1 - m) * online,
 *
 * after every optimizer step (lightly's `update_momentum`). Only trained parameters move;
 * batch-norm running statistics of the target are its own (updated by its forward passes in
 * training mode), as in lightly and the papers' code.
 */
import { add, mul, scalar, tidy } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

function pairs(caller: string, online: LayersModel, target: LayersModel) {
  const o = online.weights, t = target.weights;
  if (o.length !== t.length || o.some((w, i) => w.shape.join() !== t[i].shape.join())) {
    throw new Error(`${caller}: target must have the online network's architecture (${o.length} weights), received ${t.length} weights of other shapes`);
  }
  return o.map((w, i) => [w, t[i]] as const);
}

/** Makes target's weights (all of them, running statistics included) a copy of online's. */
export function copyWeights(online: LayersModel, target: LayersModel): void {
  pairs('copyWeights', online, target);
  target.setWeights(online.getWeights());
}

/**
 * One momentum update of target's trained parameters toward online's, m in [0, 1].
 *
 * @example updateMomentum(backbone, targetBackbone, 0.99);
 */
export function updateMomentum(online: LayersModel, target: LayersModel, m: number): void {
  if (!(m >= 0 && m <= 1)) throw new Error(`updateMomentum: m must be in [0, 1], received ${m}`);
  for (const [o, t] of pairs('updateMomentum', online, target)) {
    if (!o.trainable) continue;
    const next = tidy(() => add(mul(t.read(), scalar(m)), mul(o.read(), scalar(1 - m))));
    t.write(next);
    next.dispose();
  }
}
