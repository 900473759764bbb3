/**
 * Which triplets a batch loss uses, as index tuples into the batch: every valid triplet (batch
 * all), the hardest positive and negative per anchor (batch hard), or one semi-hard negative per
 * positive pair. Labels and distance values are data here, never differentiated; the losses then
 * gather the chosen distances from the differentiable [N, N] matrix. The miners (`BatchHardMiner`
 * and the others in this folder) wrap such selections behind the {@link TripletMiner} interface.
 */
import type { TripletIndices } from './miner.js';

export type { TripletIndices } from './miner.js';

/** Every (a, p, n) with a != p, labels[a] = labels[p], labels[n] != labels[a], in row-major order. */
export function allTriplets(labels: Int32Array): TripletIndices {
  const n = labels.length;
  let count = 0;
  for (let a = 0; a < n; a++) {
    let positives = 0, negatives = 0;
    for (let j = 0; j < n; j++) {
      if (labels[j] !== labels[a]) negatives++;
      else if (j !== a) positives++;
    }
    count += positives * negatives;
  }
  const out = { anchors: new Int32Array(count), positives: new Int32Array(count), negatives: new Int32Array(count) };
  let t = 0;
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let k = 0; k < n; k++) {
        if (labels[k] === labels[a]) continue;
        out.anchors[t] = a;
        out.positives[t] = p;
        out.negatives[t] = k;
        t++;
      }
    }
  }
  return out;
}

/**
 * For each anchor with at least one positive and one negative, its farthest positive and its
 * nearest negative under the row-major [N, N] distances d (the first index on ties).
 */
export function hardestTriplets(d: ArrayLike<number>, labels: Int32Array): TripletIndices {
  const n = labels.length;
  const anchors: number[] = [], positives: number[] = [], negatives: number[] = [];
  for (let a = 0; a < n; a++) {
    let p = -1, k = -1;
    for (let j = 0; j < n; j++) {
      const v = d[a * n + j];
      if (labels[j] !== labels[a]) {
        if (k < 0 || v < d[a * n + k]) k = j;
      } else if (j !== a && (p < 0 || v > d[a * n + p])) {
        p = j;
      }
    }
    if (p >= 0 && k >= 0) {
      anchors.push(a);
      positives.push(p);
      negatives.push(k);
    }
  }
  return { anchors: Int32Array.from(anchors), positives: Int32Array.from(positives), negatives: Int32Array.from(negatives) };
}

/**
 * For each positive pair (a, p), a != p, of an anchor that has negatives: the negative with the
 * smallest d_an among those with d_an > d_ap, or, when there is none, the negative with the largest
 * d_an (TensorFlow Addons' `triplet_semihard_loss`; the first index on ties).
 */
export function semiHardTriplets(d: ArrayLike<number>, labels: Int32Array): TripletIndices {
  const n = labels.length;
  const anchors: number[] = [], positives: number[] = [], negatives: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dap = d[a * n + p];
      let outside = -1, inside = -1; // nearest negative farther than p; farthest negative overall
      for (let k = 0; k < n; k++) {
        if (labels[k] === labels[a]) continue;
        const dan = d[a * n + k];
        if (dan > dap && (outside < 0 || dan < d[a * n + outside])) outside = k;
        if (inside < 0 || dan > d[a * n + inside]) inside = k;
      }
      if (inside < 0) continue; // no negative for this anchor
      anchors.push(a);
      positives.push(p);
      negatives.push(outside >= 0 ? outside : inside);
    }
  }
  return { anchors: Int32Array.from(anchors), positives: Int32Array.from(positives), negatives: Int32Array.from(negatives) };
}
