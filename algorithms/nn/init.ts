/** Seeded parameter initialisation: values are drawn from the harness Rng, so a seed fixes every weight on every backend. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../contracts/rng.ts';

let counter = 0;

/**
 * tfjs registers variables by name process-wide; two agents (or two runs in one test) would collide. The stored name gets a
 * `#n` suffix; `logicalName` strips it, and save/load match by the logical name.
 */
function uniqueName(name: string): string {
  return `${name}#${++counter}`;
}

/** The name a variable was created with, without the uniqueness suffix. */
export function logicalName(variable: tf.Variable): string {
  return variable.name.replace(/#\d+$/, '');
}

/** Glorot-uniform kernel `fanIn × fanOut`: U(±√(6 / (fanIn + fanOut))). */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number, name: string): tf.Variable<tf.Rank.R2> {
  return uniformVariable(rng, [fanIn, fanOut], Math.sqrt(6 / (fanIn + fanOut)), name) as tf.Variable<tf.Rank.R2>;
}

/** A variable of the given shape with entries U(−limit, limit). */
export function uniformVariable(rng: Rng, shape: number[], limit: number, name: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let k = 0; k < size; k++) values[k] = rng.range(-limit, limit);
  return tf.tidy(() => tf.variable(tf.tensor(values, shape), true, uniqueName(name))); // tidy frees the initial-value tensor
}

/** A variable filled with `value` (biases: 0; LayerNorm gains: 1). */
export function constantVariable(shape: number[], value: number, name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value), true, uniqueName(name)));
}
