/**
 * The `Environment` contract (contracts/types.ts) for any MPE scenario: B copies of one `World`, fixed agents driven
 * by the scenario's policy, per-copy seeding, and JSON snapshots for exact replays.
 *
 * Snapshot format (`getState()`; `setState()` takes the same): one object per copy,
 * `{ agents: [{ p: [x, y], v: [x, y] }, …], landmarks: [{ p: [x, y] }, …] }`, both in world order, prey included.
 */
import { createRng } from '../../contracts/rng.ts';
import type { EnvSpec, Environment, Scene, StepResult } from '../../contracts/types.ts';
import { MPE_EPISODE_LENGTH, type Scenario } from './scenario.ts';
import { DT, World } from './world.ts';

type Vec2 = [number, number];

/** One copy's snapshot. */
export interface MpeCopyState {
  agents: { p: Vec2; v: Vec2 }[];
  landmarks: { p: Vec2 }[];
}

const ACTION_DIM = 2;

export class MpeEnvironment implements Environment {
  readonly spec: EnvSpec;
  readonly batch: number;
  readonly #scenario: Scenario;
  readonly #world: World;
  readonly #fixedAgents: number[];
  readonly #rewardScratch: Float64Array;

  constructor(scenario: Scenario, batch: number) {
    this.#scenario = scenario;
    this.#world = new World(scenario.agents, scenario.landmarks, batch);
    this.batch = batch;
    const numAgents = scenario.agents.length;
    this.#fixedAgents = [...Array(numAgents).keys()].filter((i) => !scenario.learnedAgents.includes(i));
    if (this.#fixedAgents.length > 0 && !scenario.fixedPolicy) {
      throw new Error(`${scenario.name}: agents ${this.#fixedAgents.join(', ')} are fixed but the scenario has no policy for them`);
    }
    this.#rewardScratch = new Float64Array(numAgents);
    this.spec = {
      name: scenario.name,
      taskId: scenario.taskId,
      numAgents,
      learnedAgents: [...scenario.learnedAgents],
      obsDims: [...scenario.obsDims],
      actDims: scenario.agents.map(() => ACTION_DIM),
      episodeLength: MPE_EPISODE_LENGTH,
    };
  }

  /** The physics state, for tests and tools that inspect it directly. */
  get world(): World {
    return this.#world;
  }

  reset(seeds: ArrayLike<number>): Float32Array[] {
    if (seeds.length !== this.batch) throw new RangeError(`reset needs ${this.batch} seeds, got ${seeds.length}`);
    for (let b = 0; b < this.batch; b++) {
      this.#world.clearVelocities(b);
      this.#scenario.reset(this.#world, b, createRng(seeds[b]));
    }
    return this.observe();
  }

  /** Observations of the current state, per agent `B × obsDims[i]`. */
  observe(): Float32Array[] {
    return this.spec.obsDims.map((dim, i) => this.#observeAgent(i, new Float32Array(this.batch * dim)));
  }

  step(actions: Float32Array[]): StepResult {
    const applied = this.#resolveActions(actions);
    const action = this.#world.action;
    const numAgents = this.spec.numAgents;
    for (let i = 0; i < numAgents; i++) {
      const a = applied[i];
      for (let b = 0; b < this.batch; b++) {
        action[(b * numAgents + i) * 2] = a[b * 2];
        action[(b * numAgents + i) * 2 + 1] = a[b * 2 + 1];
      }
    }
    this.#world.step();
    const rewards = this.spec.obsDims.map(() => new Float32Array(this.batch));
    const evalReward = new Float32Array(this.batch);
    const scratch = this.#rewardScratch;
    for (let b = 0; b < this.batch; b++) {
      this.#scenario.rewards(this.#world, b, scratch);
      for (let i = 0; i < numAgents; i++) rewards[i][b] = scratch[i];
      evalReward[b] = this.#scenario.evalReward(scratch);
    }
    return { obs: this.observe(), actions: applied, rewards, evalReward };
  }

  getState(): MpeCopyState[] {
    const { pos, vel, numAgents, numEntities } = this.#world;
    const pair = (array: Float64Array, k: number): Vec2 => [array[k], array[k + 1]];
    return Array.from({ length: this.batch }, (_, b) => ({
      agents: Array.from({ length: numAgents }, (_, i) => ({ p: pair(pos, this.#world.at(b, i)), v: pair(vel, this.#world.at(b, i)) })),
      landmarks: Array.from({ length: numEntities - numAgents }, (_, l) => ({ p: pair(pos, this.#world.at(b, numAgents + l)) })),
    }));
  }

  setState(state: unknown): void {
    const copies = state as MpeCopyState[];
    const world = this.#world;
    if (!Array.isArray(copies) || copies.length !== this.batch) {
      throw new RangeError(`${this.spec.name}: setState needs an array of ${this.batch} copy snapshots`);
    }
    copies.forEach((copy, b) => {
      const numLandmarks = world.numEntities - world.numAgents;
      if (copy?.agents?.length !== world.numAgents || copy?.landmarks?.length !== numLandmarks) {
        throw new RangeError(`${this.spec.name}: copy ${b} must hold ${world.numAgents} agents and ${numLandmarks} landmarks`);
      }
      world.clearVelocities(b);
      copy.agents.forEach((agent, i) => {
        setPair(world.pos, world.at(b, i), agent.p, `copy ${b} agent ${i} p`);
        setPair(world.vel, world.at(b, i), agent.v, `copy ${b} agent ${i} v`);
      });
      copy.landmarks.forEach((landmark, l) => setPair(world.pos, world.at(b, world.numAgents + l), landmark.p, `copy ${b} landmark ${l} p`));
    });
  }

  /** Every entity of copy `b` as a disc of its size, in world order; movable ones leave a trail. */
  scene(b: number): Scene {
    const world = this.#world;
    const shapes = world.entities.map((entity, e) => {
      const k = world.at(b, e);
      const kind = entity.kind ?? (e < world.numAgents ? 'agent' : 'landmark');
      return { type: 'circle' as const, kind, x: world.pos[k], y: world.pos[k + 1], r: entity.size, trail: entity.movable };
    });
    return { camera: { mode: 'fixed' }, stepSeconds: DT, shapes };
  }

  dispose(): void {}

  #observeAgent(i: number, out: Float32Array): Float32Array {
    const dim = this.spec.obsDims[i];
    for (let b = 0; b < this.batch; b++) this.#scenario.observe(this.#world, b, i, out, b * dim);
    return out;
  }

  /** Per environment agent, the `B × 2` actions to apply: given ones, and the fixed policy's where not given. */
  #resolveActions(actions: Float32Array[]): Float32Array[] {
    const { numAgents, learnedAgents } = this.spec;
    const size = this.batch * ACTION_DIM;
    for (const [k, a] of actions.entries()) {
      if (a.length !== size) throw new RangeError(`${this.spec.name}: action array ${k} has length ${a.length}, expected ${size}`);
    }
    if (actions.length === numAgents) return actions.map((a) => Float32Array.from(a));
    if (actions.length !== learnedAgents.length) {
      throw new RangeError(`${this.spec.name}: step needs ${learnedAgents.length} (learned) or ${numAgents} (all) action arrays, got ${actions.length}`);
    }
    const applied: Float32Array[] = new Array(numAgents);
    learnedAgents.forEach((agent, k) => (applied[agent] = Float32Array.from(actions[k])));
    const policy = this.#scenario.fixedPolicy;
    for (const agent of this.#fixedAgents) {
      const obs = this.#observeAgent(agent, new Float32Array(this.batch * this.spec.obsDims[agent]));
      applied[agent] = new Float32Array(size);
      policy!.act(obs, this.batch, applied[agent]);
    }
    return applied;
  }
}

function setPair(array: Float64Array, k: number, value: unknown, what: string): void {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new RangeError(`${what} must be two finite numbers, got ${JSON.stringify(value)}`);
  }
  array[k] = value[0];
  array[k + 1] = value[1];
}
