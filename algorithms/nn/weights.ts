/** Save and load variables as `NamedWeights` (plain JSON), matched by the variables' logical names. */
import * as tf from '@tensorflow/tfjs';
import type { NamedWeights } from '../../contracts/types.ts';
import { logicalName } from './init.ts';
import { read } from './readback.ts';

export async function saveWeights(variables: tf.Variable[]): Promise<NamedWeights> {
  const values = await read(variables);
  const out: NamedWeights = {};
  variables.forEach((v, k) => (out[logicalName(v)] = { shape: [...v.shape], values: Array.from(values[k]) }));
  return out;
}

/** Assigns every variable from `weights`; a missing name or a shape mismatch is an error naming the variable. */
export function loadWeights(variables: tf.Variable[], weights: NamedWeights): void {
  for (const v of variables) {
    const name = logicalName(v);
    const w = weights[name];
    if (!w) throw new Error(`weights have no entry for variable ${name}`);
    if (w.shape.join('x') !== v.shape.join('x')) {
      throw new Error(`variable ${name}: shape ${v.shape.join('x')} but weights have ${w.shape.join('x')}`);
    }
    tf.tidy(() => v.assign(tf.tensor(w.values, w.shape)));
  }
}
