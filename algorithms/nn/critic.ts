/** Ensemble critic: `heads` independent MLPs Q_k(o, a) over the concatenated input (twin critic: heads = 2). */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../contracts/rng.ts';
import { constant } from './constants.ts';
import { createMlp, type Mlp, type MlpOptions } from './mlp.ts';
import { concatColumns } from './columns.ts';
import { copyVariables, createAdam, type Adam } from './optim.ts';

export interface CriticOptions extends Omit<MlpOptions, 'inputDim' | 'outputDim'> {
  obsDim: number;
  actDim: number;
  /** @default 2 */
  heads?: number;
}

export interface Critic {
  readonly heads: Mlp[];
  readonly variables: tf.Variable[];
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
    forward: (obs, act) => {
      const input = concatColumns([obs, act]);
      const out = nets.map((n) => n.forward(input));
      input.dispose();
      return out;
    },
  };
}

/** A critic, its target and the two optimisers of an actor-critic learner (the actor's networks stay with the algorithm). */
export interface ActorCriticSet {
  critic: Critic;
  /** Starts as a copy of `critic`; the algorithm moves it by Polyak averaging. */
  criticTarget: Critic;
  actorOptimizer: Adam;
  criticOptimizer: Adam;
}

/**
 * Builds the critic set every actor-critic learner here starts from: the critic (`<name>/critic`), its target
 * (`<name>/critic_target`, initialised as a copy) and one Adam each for the actor's variables and the critic's.
 */
export function createActorCriticSet(actorVariables: tf.Variable[], options: CriticOptions, learningRate: number, rng: Rng, name: string): ActorCriticSet {
  const critic = createCritic(options, rng.fork('critic'), `${name}/critic`);
  const criticTarget = createCritic(options, rng.fork('critic_target'), `${name}/critic_target`);
  copyVariables(criticTarget.variables, critic.variables);
  return {
    critic,
    criticTarget,
    actorOptimizer: createAdam(actorVariables, { learningRate }),
    criticOptimizer: createAdam(critic.variables, { learningRate }),
  };
}

/**
 * Mean or minimum over heads (spec §4 "Common": `agg`), pairwise rather than over a stacked tensor (a reduction over the
 * leading axis is a slow kernel on wasm). Caller owns the result.
 */
export function aggregateHeads(values: tf.Tensor2D[], how: 'mean' | 'min'): tf.Tensor2D {
  return tf.tidy(() =>
    how === 'mean'
      ? (tf.div(tf.addN(values), constant(values.length)) as tf.Tensor2D)
      : values.reduce((a, b) => tf.minimum(a, b) as tf.Tensor2D),
  );
}
