/**
 * Homogeneity, completeness and V-measure (Rosenberg & Hirschberg 2007, "V-Measure: a conditional
 * entropy-based external cluster evaluation measure", EMNLP-CoNLL), with scikit-learn 1.2's
 * `homogeneity_completeness_v_measure` semantics:
 *
 *   h = MI / H(C)   (1 when H(C) = 0),    c = MI / H(K)   (1 when H(K) = 0),
 *   V_β = (1 + β) h c / (β h + c)          (0 when h + c = 0),
 *
 * C the true classes, K the predicted clusters. β > 1 weighs completeness more. V_1 equals NMI
 * with the arithmetic mean.
 */
import { contingency } from './contingency.js';
import { entropyOfCounts, mutualInfoOfTable } from './mutual-info.js';

export interface VMeasureOptions {
  /** Weight of completeness against homogeneity, finite and > 0. Default 1. */
  beta?: number;
}

export interface HomogeneityCompleteness {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/** All three scores from one contingency table. */
export function homogeneityCompletenessVMeasure(
  labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, options: VMeasureOptions = {}, caller = 'homogeneityCompletenessVMeasure',
): HomogeneityCompleteness {
  const { beta = 1 } = options;
  if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) throw new Error(`${caller}: beta must be a finite number > 0, received ${beta}`);
  const t = contingency(caller, labelsTrue, labelsPred);
  const hC = entropyOfCounts(t.rowSums), hK = entropyOfCounts(t.colSums), mi = mutualInfoOfTable(t);
  const homogeneity = hC ? mi / hC : 1.0, completeness = hK ? mi / hK : 1.0;
  const vMeasure = homogeneity + completeness === 0 ? 0.0 : ((1 + beta) * homogeneity * completeness) / (beta * homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}

/** Homogeneity: each cluster holds members of one class only. */
export function homogeneity(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred, {}, 'homogeneity').homogeneity;
}

/** Completeness: all members of a class are in one cluster. */
export function completeness(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred, {}, 'completeness').completeness;
}

/** V-measure: the weighted harmonic mean of homogeneity and completeness. */
export function vMeasure(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, options: VMeasureOptions = {}): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred, options, 'vMeasure').vMeasure;
}
