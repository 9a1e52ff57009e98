/**
 * Cooperative navigation, `simple_spread` (spec §1.2): N agents cover N landmarks without bumping into each other.
 *
 * ## Entities (world order)
 * | index         | entity   | size | collide | movable | accel | max speed |
 * |---------------|----------|------|---------|---------|-------|-----------|
 * | 0 … N−1       | agent    | 0.15 | yes     | yes     | —     | —         |  (force 5a)
 * | N … 2N−1      | landmark | 0.05 | no      | no      |       |           |
 *
 * ## Reset (draw order matters for seeded reproducibility)
 * Every agent `p ~ U(−b, b)²` (x then y), `v = 0`; then every landmark `p ~ U(−b, b)²`.
 * `b` (option `bound`): 1 for N ≤ 5 (OMAR for N ≤ 3; **Choice** for 4–5, as OM2P's release), 2 for N ≥ 6.
 *
 * ## Observation of agent i (dim `4 + 2N + 2(N−1) + 2(N−1)`, 18 for N = 3)
 * | offset          | length   | content                                            |
 * |-----------------|----------|----------------------------------------------------|
 * | 0               | 2        | own velocity                                       |
 * | 2               | 2        | own position                                       |
 * | 4               | 2N       | landmark k position − own position, k = 0 … N−1    |
 * | 4 + 2N          | 2(N−1)   | other agent position − own position (world order)  |
 * | 4 + 2N + 2(N−1) | 2(N−1)   | other agents' communication: always 0 (silent)     |
 *
 * ## Reward of agent i
 * `Σ_landmarks min(1 / min_agents dist(agent, landmark), 10)` (shared) `− 5 · #{j ≠ i : dist(i, j) < 0.3}`.
 * Evaluation return: Σ over the 25 steps of the mean over agents of the step rewards.
 *
 * ## Options
 * `numAgents` (default 3, 1–10), `bound` (default from N as above).
 */
import type { EnvironmentDef } from '../../contracts/types.ts';
import type { Rng } from '../../contracts/rng.ts';
import { MpeEnvironment } from './environment.ts';
import { drawPosition, inContact, writePosition, writeRelative, writeVelocity, type Scenario } from './scenario.ts';
import type { EntityProps, World } from './world.ts';
import { mpeDatasetPresets } from './dataset-presets.ts';

export interface SpreadOptions {
  /** Agents and landmarks, N. */
  numAgents: number;
  /** Half-width of the start square; default from N (spec §1.2). */
  bound?: number;
}

const AGENT: EntityProps = { size: 0.15, movable: true, collide: true, kind: 'agent' };
const LANDMARK: EntityProps = { size: 0.05, movable: false, collide: false, kind: 'landmark' };
/** Cap on each landmark's coverage term (spec §1.2). */
const MAX_COVERAGE = 10;
const COLLISION_PENALTY = 5;

/** spec §1.2 start-square half-width: 1 up to 5 agents, 2 from 6. */
export function defaultSpreadBound(numAgents: number): number {
  return numAgents <= 5 ? 1 : 2;
}

/** Builds the scenario for N agents. */
export function spreadScenario(options: SpreadOptions): Scenario {
  const n = options.numAgents;
  const bound = options.bound ?? defaultSpreadBound(n);
  const boundTag = bound === defaultSpreadBound(n) ? '' : `,b=${bound}`;
  return {
    name: 'simple_spread',
    taskId: `simple_spread[n=${n}${boundTag}]`,
    agents: Array.from({ length: n }, () => AGENT),
    landmarks: Array.from({ length: n }, () => LANDMARK),
    obsDims: Array.from({ length: n }, () => 4 + 2 * n + 4 * (n - 1)),
    learnedAgents: [...Array(n).keys()],
    reset(world: World, b: number, rng: Rng) {
      for (let e = 0; e < 2 * n; e++) drawPosition(world, b, e, bound, rng);
    },
    observe(world: World, b: number, i: number, out: Float32Array, offset: number) {
      let k = writeVelocity(world, b, i, out, offset);
      k = writePosition(world, b, i, out, k);
      for (let l = 0; l < n; l++) k = writeRelative(world, b, n + l, i, out, k);
      for (let j = 0; j < n; j++) if (j !== i) k = writeRelative(world, b, j, i, out, k);
      out.fill(0, k, k + 2 * (n - 1));
    },
    rewards(world: World, b: number, out: Float64Array) {
      const coverage = coverageReward(world, b, n);
      for (let i = 0; i < n; i++) {
        let collisions = 0;
        for (let j = 0; j < n; j++) if (j !== i && inContact(world, b, i, j)) collisions++;
        out[i] = coverage - COLLISION_PENALTY * collisions;
      }
    },
    evalReward(rewards: Float64Array) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += rewards[i];
      return sum / n;
    },
  };
}

/** `Σ_l min(1 / min_i dist(agent i, landmark l), 10)`; a landmark under an agent (dist 0) counts 10. */
function coverageReward(world: World, b: number, n: number): number {
  let total = 0;
  for (let l = 0; l < n; l++) {
    let nearest = Infinity;
    for (let i = 0; i < n; i++) nearest = Math.min(nearest, world.distance(b, i, n + l));
    total += Math.min(1 / nearest, MAX_COVERAGE);
  }
  return total;
}

export const simpleSpread: EnvironmentDef<SpreadOptions> = {
  name: 'simple_spread',
  description: 'MPE cooperative navigation: N agents cover N landmarks (spec §1.2)',
  datasetPresets: mpeDatasetPresets,
  defaults: { numAgents: 3 },
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['numAgents'],
    properties: {
      numAgents: { type: 'integer', minimum: 1, maximum: 10, description: 'agents and landmarks, N' },
      bound: { type: 'number', exclusiveMinimum: 0, description: 'start positions ~ U(-bound, bound)^2; default 1 for N <= 5, else 2' },
    },
  },
  async create(options: SpreadOptions, batch: number) {
    return new MpeEnvironment(spreadScenario(options), batch);
  },
};
