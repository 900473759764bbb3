import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/register.js';
import { mlpBackbone } from '../../src/models/backbones/mlp.js';
import { cnnBackbone } from '../../src/models/backbones/cnn.js';
import { resnetBackbone } from '../../src/models/backbones/resnet.js';
import { byolPredictor, byolProjector, mocoV2Head, mocoV3Predictor, mocoV3Projector, projectionHead, simclrHead, simsiamPredictor, simsiamProjector } from '../../src/models/heads.js';

// Parameter counts by formula; batch norm holds 4 vectors per channel (gamma, beta, running mean, variance).
const dense = (i: number, o: number, bias = true) => i * o + (bias ? o : 0);
const bn = (c: number) => 4 * c;
const conv = (k: number, i: number, o: number) => k * k * i * o;

function forward(model: { apply: (x: tf.Tensor, k: object) => unknown }, shape: number[], training: boolean): number[] {
  return tf.tidy(() => (model.apply(tf.randomUniform(shape), { training }) as tf.Tensor).shape);
}

describe('backbones and heads', () => {
  it('MLP: shapes and parameter count', () => {
    const m = mlpBackbone({ inputShape: [28, 28, 1] });
    expect(m.countParams()).toBe(dense(784, 512) + bn(512) + dense(512, 512) + bn(512) + dense(512, 128));
    expect(forward(m, [5, 28, 28, 1], true)).toEqual([5, 128]);
    m.dispose();
  });
  it('small CNN: flatten + 256 by default, global average pooling on request; shapes and parameter counts', () => {
    const convs = conv(3, 1, 32) + bn(32) + conv(3, 32, 64) + bn(64) + conv(3, 64, 128) + bn(128);
    const m = cnnBackbone({ inputShape: [28, 28, 1] });
    expect(m.countParams()).toBe(convs + dense(7 * 7 * 128, 256, false) + bn(256));
    expect(forward(m, [3, 28, 28, 1], true)).toEqual([3, 256]);
    expect(forward(m, [2, 28, 28, 1], false)).toEqual([2, 256]);
    m.dispose();
    const g = cnnBackbone({ inputShape: [28, 28, 1], pooling: 'global-average' });
    expect(g.countParams()).toBe(convs);
    expect(forward(g, [3, 28, 28, 1], true)).toEqual([3, 128]);
    g.dispose();
    const f = cnnBackbone({ inputShape: [28, 28, 1], widths: [4, 8], embeddingDim: 0 });
    expect(forward(f, [2, 28, 28, 1], false)).toEqual([2, 14 * 14 * 8]);
    f.dispose();
    const e = cnnBackbone({ inputShape: [28, 28, 1], widths: [4], pooling: 'global-average', embeddingDim: 5 });
    expect(forward(e, [2, 28, 28, 1], false)).toEqual([2, 5]);
    e.dispose();
    expect(() => cnnBackbone({ inputShape: [28, 28, 1], pooling: 'max' as 'flatten' })).toThrow(/pooling must be 'flatten' or 'global-average', received "max"/);
    expect(() => cnnBackbone({ inputShape: [28, 28, 1], embeddingDim: -1 })).toThrow(/embeddingDim must be an integer >= 0, received -1/);
  });
  it('ResNet-18 (CIFAR layout): the paper\'s 11.17 M parameters at width 1, shapes at width 1/4', () => {
    const full = resnetBackbone({ inputShape: [32, 32, 3] });
    // 11,173,962 trainable in torchvision's CIFAR ResNet-18 with a 10-class fc (5,130): 11,168,832
    // without it; the running statistics add 2 x 4,800 channels.
    const trainable = full.trainableWeights.reduce((s, w) => s + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
    expect(trainable).toBe(11168832);
    full.dispose();
    const small = resnetBackbone({ inputShape: [28, 28, 1], widthMultiplier: 0.25 });
    expect(forward(small, [2, 28, 28, 1], true)).toEqual([2, 128]);
    small.dispose();
  });
  it('projection heads from blocks; the SimCLR preset', () => {
    const h = projectionHead([[128, 64, true, 'relu'], [64, 32, false, null]]);
    expect(h.countParams()).toBe(dense(128, 64, false) + bn(64) + dense(64, 32));
    expect(forward(h, [4, 128], true)).toEqual([4, 32]);
    const s = simclrHead(128, 256, 64);
    expect(s.countParams()).toBe(dense(128, 256, false) + bn(256) + dense(256, 64));
    expect(() => projectionHead([[8, 4], [5, 2]])).toThrow(/blocks\[1\] inDim must equal blocks\[0\] outDim \(4\), received 5/);
    expect(() => projectionHead([[8, 4, 'yes' as never]])).toThrow(/blocks\[0\] batchNorm must be true, false or 'no-affine', received "yes"/);
    h.dispose(); s.dispose();
  });
  it('the momentum-family presets: paper sizes by default, scaled down by arguments', () => {
    // 'no-affine' batch norm keeps only its 2 running statistics per channel (none trained).
    const bnFree = (c: number) => 2 * c;
    const cases: [string, ReturnType<typeof mocoV2Head>, number, number][] = [
      ['mocoV2Head', mocoV2Head(2048), dense(2048, 2048) + dense(2048, 128), 4],
      ['mocoV3Projector', mocoV3Projector(2048), dense(2048, 4096, false) + bn(4096) + dense(4096, 256, false) + bnFree(256), 4],
      ['mocoV3Projector 3 layers', mocoV3Projector(64, 128, 32, 3), dense(64, 128, false) + 2 * bn(128) + dense(128, 128, false) + dense(128, 32, false) + bnFree(32), 7],
      ['mocoV3Predictor', mocoV3Predictor(), dense(256, 4096, false) + bn(4096) + dense(4096, 256, false) + bnFree(256), 4],
      ['byolProjector', byolProjector(2048), dense(2048, 4096, false) + bn(4096) + dense(4096, 256), 5],
      ['byolPredictor', byolPredictor(), dense(256, 4096, false) + bn(4096) + dense(4096, 256), 5],
      ['simsiamProjector', simsiamProjector(2048), dense(2048, 2048, false) + 2 * bn(2048) + dense(2048, 2048, false) + dense(2048, 2048, false) + bnFree(2048), 7],
      ['simsiamPredictor', simsiamPredictor(), dense(2048, 512, false) + bn(512) + dense(512, 2048), 5],
    ];
    for (const [name, model, params, trained] of cases) {
      expect(model.countParams(), name).toBe(params);
      expect(model.trainableWeights.length, name).toBe(trained);
      model.dispose();
    }
    const small = simsiamProjector(16, 8, 12, 1);
    expect(forward(small, [4, 16], true)).toEqual([4, 12]);
    small.dispose();
    expect(() => mocoV3Projector(8, 8, 8, 0)).toThrow(/mocoV3Projector: numLayers must be an integer >= 1, received 0/);
  });
});

describe('seeded initialisation', () => {
  const weights = (m: { getWeights: () => tf.Tensor[] }) => m.getWeights().map((w) => Array.from(w.dataSync()));
  const builders: [string, (seed?: number) => { getWeights: () => tf.Tensor[]; dispose: () => unknown }][] = [
    ['mlp', (seed) => mlpBackbone({ inputShape: [4, 4, 1], hidden: [6], outputDim: 3, seed })],
    ['cnn', (seed) => cnnBackbone({ inputShape: [8, 8, 1], widths: [4, 5], seed })],
    ['resnet', (seed) => resnetBackbone({ inputShape: [8, 8, 1], widthMultiplier: 0.0625, seed })],
    ['head', (seed) => simclrHead(6, 7, 3, 2, seed)],
  ];
  for (const [name, build] of builders) {
    it(`${name}: one seed gives the same weights, another seed different ones`, () => {
      const [a, b, c] = [build(1), build(1), build(2)];
      expect(weights(a)).toEqual(weights(b));
      expect(weights(c)).not.toEqual(weights(a));
      [a, b, c].forEach((m) => m.dispose());
    });
  }
});

describe('backboneSize', () => {
  it('gives the parameters and output width of buildBackbone without building it', async () => {
    const { backboneSize, buildBackbone } = await import('../../src/models/backbones/registry.js');
    const gray = { kind: 'image' as const, height: 28, width: 28, channels: 1 };
    const rgb = { kind: 'image' as const, height: 32, width: 20, channels: 3 };
    const cases: [Parameters<typeof buildBackbone>[0], Parameters<typeof buildBackbone>[1], Parameters<typeof buildBackbone>[2]][] = [
      ['cnn', gray, {}], ['cnn', gray, { widths: [4, 8], embeddingDim: 16 }], ['cnn', gray, { pooling: 'global-average' }],
      ['cnn', rgb, { widths: [8, 8, 8, 8] }], ['resnet', gray, {}], ['resnet', rgb, {}], ['mlp', gray, {}], ['mlp', { kind: 'vector', dim: 6 }, {}],
    ];
    for (const [name, spec, options] of cases) {
      const model = buildBackbone(name, spec, options);
      const size = backboneSize(name, spec, options);
      expect(size.params, `${name} ${JSON.stringify(options)}`).toBe(model.countParams());
      expect(size.outputDim).toBe(model.outputs[0].shape[1]);
      model.dispose();
    }
    // A network far too large to build is sized all the same.
    expect(backboneSize('cnn', gray, { widths: [100000] }).params).toBeGreaterThan(2 ** 30);
  });
});
