/**
 * A head that passes its input through unchanged (a linear activation layer: no weights), for
 * methods whose loss sees the encoder's embeddings themselves (SimCSE and MNRL without a training
 * MLP, as sentence-transformers trains).
 */
import * as tfl from '@tensorflow/tfjs-layers';

export function identityHead(dim: number, name = 'identity_head'): tfl.Sequential {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`identityHead: dim must be an integer >= 1, received ${JSON.stringify(dim)}`);
  return tfl.sequential({ name, layers: [tfl.layers.activation({ activation: 'linear', inputShape: [dim] })] });
}
