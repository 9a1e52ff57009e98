/**
 * The scenario contract of the MPE tasks (after OMAR's make/reset/reward/observe split) and the helpers the
 * observation layouts share. A scenario is pure description plus per-copy functions over a `World`; the batching,
 * the fixed agents' policy and the `Environment` contract live in `environment.ts`.
 */
import type { Rng } from '../../contracts/rng.ts';
import type { EntityProps, World } from './world.ts';

/** A fixed agent's policy (the prey, spec §1.5): a batch of observations in, a batch of actions out. */
export interface FixedPolicy {
  /** The part of the task id that names this policy, e.g. `scripted` (spec §1.5: never pool different preys). */
  readonly id: string;
  /** Observation length it expects. */
  readonly obsDim: number;
  /** Writes `B × 2` actions in [-1, 1] for `B × obsDim` observations. */
  act(obs: Float32Array, batch: number, out: Float32Array): void;
}

/** One MPE task. Agents come first in world order, then landmarks. */
export interface Scenario {
  name: string;
  taskId: string;
  agents: EntityProps[];
  landmarks: EntityProps[];
  obsDims: number[];
  /** Agents driven by algorithms; every other agent acts by `fixedPolicy`. */
  learnedAgents: number[];
  fixedPolicy?: FixedPolicy;
  /** Draws copy `b`'s start state from `rng` in the reference's order; velocities are already zero. */
  reset(world: World, b: number, rng: Rng): void;
  /** Writes agent `i`'s observation of copy `b` at `out[offset …]`. */
  observe(world: World, b: number, i: number, out: Float32Array, offset: number): void;
  /** Writes every agent's reward of copy `b` into `out` (length numAgents). */
  rewards(world: World, b: number, out: Float64Array): void;
  /** This step's contribution to the evaluation return, from the agents' rewards (spec §1.2–1.4). */
  evalReward(rewards: Float64Array): number;
}

/** Episode length of every MPE task (spec §1.1). */
export const MPE_EPISODE_LENGTH = 25;

/** Writes entity `e`'s velocity of copy `b` at `out[offset]`; returns the next offset. */
export function writeVelocity(world: World, b: number, e: number, out: Float32Array, offset: number): number {
  const k = world.at(b, e);
  out[offset] = world.vel[k];
  out[offset + 1] = world.vel[k + 1];
  return offset + 2;
}

/** Writes entity `e`'s position of copy `b` at `out[offset]`; returns the next offset. */
export function writePosition(world: World, b: number, e: number, out: Float32Array, offset: number): number {
  const k = world.at(b, e);
  out[offset] = world.pos[k];
  out[offset + 1] = world.pos[k + 1];
  return offset + 2;
}

/** Writes `p_e − p_self` ("rel X", spec §1.1) at `out[offset]`; returns the next offset. */
export function writeRelative(world: World, b: number, e: number, self: number, out: Float32Array, offset: number): number {
  const k = world.at(b, e);
  const s = world.at(b, self);
  out[offset] = world.pos[k] - world.pos[s];
  out[offset + 1] = world.pos[k + 1] - world.pos[s + 1];
  return offset + 2;
}

/** Draws entity `e`'s position uniformly in `[-bound, bound)²`, x then y (numpy's `uniform(-b, b, 2)` order). */
export function drawPosition(world: World, b: number, e: number, bound: number, rng: Rng): void {
  const k = world.at(b, e);
  world.pos[k] = rng.range(-bound, bound);
  world.pos[k + 1] = rng.range(-bound, bound);
}

/** The reference's `is_collision`: strictly closer than the sum of the sizes. */
export function inContact(world: World, b: number, i: number, j: number): boolean {
  return world.distance(b, i, j) < world.entities[i].size + world.entities[j].size;
}
