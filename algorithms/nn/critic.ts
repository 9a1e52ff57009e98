/**
 * Ensemble critic: `heads` independent MLPs Q_k(o, a) over the concatenated input (twin critic: heads = 2). `stackCritics`
 * makes the critics of several agents one, over their row-stacked batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../harness/rng.ts';
import { constant } from './constants.ts';
import { createMlp, stackMlps, type Mlp, type MlpOptions } from './mlp.ts';

export interface CriticOptions extends Omit<MlpOptions, 'inputDim' | 'outputDim'> {
  obsDim: number;
  actDim: number;
  /** @default 2 */
  heads?: number;
}

export interface Critic {
  readonly heads: Mlp[];
  readonly variables: tf.Variable[];
  /** How many agents' row blocks `forward` evaluates, each with its own critic (1 for a critic made by `createCritic`). */
  readonly agents: number;
  /** obs: B × obsDim, act: B × actDim → one B × 1 tensor per head. The caller owns the results. */
  forward(obs: tf.Tensor2D, act: tf.Tensor2D): tf.Tensor2D[];
}

export function createCritic(options: CriticOptions, rng: Rng, name: string): Critic {
  const { obsDim, actDim, heads = 2, ...mlp } = options;
  const nets = Array.from({ length: heads }, (_, k) =>
    createMlp({ ...mlp, inputDim: obsDim + actDim, outputDim: 1 }, rng.fork(`${name}/q${k}`), `${name}/q${k}`),
  );
  return {
    heads: nets,
    variables: nets.flatMap((n) => n.variables),
    agents: 1,
    forward: (obs, act) => {
      const input = tf.concat([obs, act], 1) as tf.Tensor2D;
      const out = nets.map((n) => n.forward(input));
      input.dispose();
      return out;
    },
  };
}

/**
 * The critics of E agents (one shape) as one over their row-stacked batches, [E·B, ·] → E·B × 1 per head. `forward` runs
 * every head of every agent as one stacked network (`stackMlps`, head by head with the agents within, the input's rows
 * repeated once per head), so each element-wise kernel runs once for all of them; `heads[k]` is head k over every agent.
 * Its variables are the agents' own, agent by agent. A single critic is returned as it is (for a lone critic of ReLU
 * layers without LayerNorm, as td3bc's, the per-layer splits and concats would cost more kernels than the heads share).
 */
export function stackCritics(critics: Critic[]): Critic {
  if (critics.length === 1) return critics[0];
  const heads = critics[0].heads.map((_, k) => stackMlps(critics.map((critic) => critic.heads[k])));
  const all = stackMlps(heads.flatMap((_, k) => critics.map((critic) => critic.heads[k])));
  return {
    heads,
    variables: critics.flatMap((critic) => critic.variables),
    agents: critics.length,
    forward: (obs, act) =>
      tf.tidy(() => {
        const input = tf.concat([obs, act], 1) as tf.Tensor2D;
        return tf.split(all.forward(tf.concat(heads.map(() => input), 0) as tf.Tensor2D), heads.length, 0) as tf.Tensor2D[];
      }),
  };
}

/**
 * Mean or minimum over heads (SPEC §4 "Common": `agg`), pairwise rather than over a stacked tensor (a reduction over the
 * leading axis is a slow kernel on wasm). Caller owns the result.
 */
export function aggregateHeads(values: tf.Tensor2D[], how: 'mean' | 'min'): tf.Tensor2D {
  return tf.tidy(() =>
    how === 'mean'
      ? (tf.div(tf.addN(values), constant(values.length)) as tf.Tensor2D)
      : values.reduce((a, b) => tf.minimum(a, b) as tf.Tensor2D),
  );
}
