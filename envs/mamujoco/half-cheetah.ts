/**
 * Two-agent HalfCheetah (`2x3`, spec §2): Gym's HalfCheetah split into a back-leg and a front-leg agent, as in
 * MaMuJoCo with `obsk = 0`, simulated by the official MuJoCo WebAssembly bindings on the MJCF of
 * `half-cheetah-model.ts`. B copies are B `MjData` on one `MjModel`.
 *
 * ## Action space (per agent, `Box(-1, 1, (3,))`; MuJoCo clamps ctrl to [-1, 1])
 * | agent | index | actuator | joint  | gear (N·m) |
 * |-------|-------|----------|--------|------------|
 * | 0     | 0     | 0        | bthigh | 120        |
 * | 0     | 1     | 1        | bshin  | 90         |
 * | 0     | 2     | 2        | bfoot  | 60         |
 * | 1     | 0     | 3        | fthigh | 120        |
 * | 1     | 1     | 4        | fshin  | 60         |
 * | 1     | 2     | 5        | ffoot  | 30         |
 *
 * ## Observation space (per agent, 6 values: the agent's joints sorted by name, position then velocity)
 * | offset | agent 0                 | agent 1                 | unit       |
 * |--------|-------------------------|-------------------------|------------|
 * | 0, 1   | qpos[5], qvel[5] bfoot  | qpos[8], qvel[8] ffoot  | rad, rad/s |
 * | 2, 3   | qpos[4], qvel[4] bshin  | qpos[7], qvel[7] fshin  | rad, rad/s |
 * | 4, 5   | qpos[3], qvel[3] bthigh | qpos[6], qvel[6] fthigh | rad, rad/s |
 * Any other order silently breaks compatibility with OMAR's files (spec §2).
 *
 * ## Global state (`spec.stateDim = 17`, Gym's observation)
 * | offset | value                                                   |
 * |--------|---------------------------------------------------------|
 * | 0–7    | qpos[1..8]: rootz (m), rooty, 6 joints (rad)            |
 * | 8–16   | qvel[0..8]: rootx, rootz (m/s), rooty, 6 joints (rad/s) |
 * qpos[0] (rootx, the distance run) is left out, as in Gym.
 *
 * ## Reward (one team reward, given to both agents; `evalReward` is the same value)
 * `r = (rootx after − rootx before) / dt − ctrlCostWeight · Σ_j a_j²` with `dt = 5 · 0.01 = 0.05` s and `a` the
 * 6 actions as given (before clamping). `StepResult.actions` holds the clamped actions MuJoCo applied.
 *
 * ## Starting state
 * Copy b draws from `new Rng(seeds[b])`: `qpos = qpos0 + U(−s, s)` (9 draws, index order), then
 * `qvel = s · N(0, 1)` (9 draws), `s = resetNoiseScale`; then `mj_forward`.
 *
 * ## Episode end
 * 1000 steps (`spec.episodeLength`), counted by the caller; there is no termination.
 *
 * ## Arguments (options)
 * | option          | default | meaning                                  |
 * |-----------------|---------|------------------------------------------|
 * | ctrlCostWeight  | 0.1     | weight of Σ a² in the reward             |
 * | resetNoiseScale | 0.1     | s in the starting state                  |
 * Non-default values are part of the task id, e.g. `halfcheetah-2x3[ctrlCostWeight=0.2]`.
 *
 * ## Scene (`scene(b)`, the report's episode viewer)
 * A side view (x, z) from the current qpos: every capsule of the model as a segment between its end-cap centres, as
 * wide as the capsule; torso and head `torso`, the back leg (agent 0) `back-leg`, the front leg (agent 1) `front-leg`.
 * The view follows the runner over the floor z = 0.
 *
 * ## Snapshots
 * `getState()` gives per copy `{ qpos, qvel, qaccWarmstart }` (JSON arrays). The solver's warm start is kept so a
 * restored copy repeats the next step bit for bit (without it, about one step in ten moves by ~1e-12, measured);
 * `setState` accepts snapshots without it (dataset states) and then starts the solver cold, as after a reset.
 *
 * ## Fidelity
 * OMAR's data came from MuJoCo 2.0; this is MuJoCo 3.x, so trajectories need not match bit for bit (spec §2).
 * A uniform-random policy returns −282.7 ± 75.3 (20 seeded episodes), beside −282.9 ± 77.5 for OMAR's random
 * dataset (spec §1.6).
 */
import { ConfigError } from '../../contracts/errors.ts';
import { Rng } from '../../contracts/rng.ts';
import type { Environment, EnvironmentDef, EnvSpec, JsonSchema, Scene, SceneShape, StepResult } from '../../contracts/types.ts';
import { HALF_CHEETAH_TIMESTEP, HALF_CHEETAH_XML } from './half-cheetah-model.ts';
import { mujocoModule, type MainModule, type MjData, type MjModel } from './mujoco-module.ts';
import { halfCheetahDatasetPresets } from './dataset-presets.ts';

export interface HalfCheetahOptions {
  /** Weight of the control cost Σ a² (Gym's `ctrl_cost_weight`). */
  ctrlCostWeight: number;
  /** Scale of the start-state noise (Gym's `reset_noise_scale`). */
  resetNoiseScale: number;
}

/** One copy's snapshot; `qaccWarmstart` is optional on input. */
export interface HalfCheetahCopyState {
  qpos: number[];
  qvel: number[];
  qaccWarmstart?: number[];
}

const NAME = 'halfcheetah-2x3';
const DEFAULTS: HalfCheetahOptions = { ctrlCostWeight: 0.1, resetNoiseScale: 0.1 };
const NQ = 9;
const NV = 9;
const FRAME_SKIP = 5;
const CONTROL_DT = FRAME_SKIP * HALF_CHEETAH_TIMESTEP;
const STATE_DIM = 17;
/** Per agent, its hinges in observation order (spec §2); hinge j has qpos index j and dof index j. */
const OBSERVED_JOINTS = [
  [5, 4, 3],
  [8, 7, 6],
];
/** Per agent, the actuators its action drives (spec §2). */
const AGENT_ACTUATORS = [
  [0, 1, 2],
  [3, 4, 5],
];
/** What each body is, by body id in MJCF order: world, torso, bthigh, bshin, bfoot, fthigh, fshin, ffoot. */
const BODY_KINDS = ['floor', 'torso', 'back-leg', 'back-leg', 'back-leg', 'front-leg', 'front-leg', 'front-leg'];
const OBS_DIM = 2 * OBSERVED_JOINTS[0].length;
const ACT_DIM = AGENT_ACTUATORS[0].length;

/** Live views into one MjData's arrays (read once: each property access builds a new view). */
interface CopyViews {
  qpos: Float64Array;
  qvel: Float64Array;
  ctrl: Float64Array;
  warmstart: Float64Array;
}

function viewsOf(data: MjData): CopyViews {
  return { qpos: data.qpos, qvel: data.qvel, ctrl: data.ctrl, warmstart: data.qacc_warmstart };
}

function taskIdOf(options: HalfCheetahOptions): string {
  const changed = (Object.keys(DEFAULTS) as (keyof HalfCheetahOptions)[]).filter((k) => options[k] !== DEFAULTS[k]);
  return changed.length === 0 ? NAME : `${NAME}[${changed.map((k) => `${k}=${options[k]}`).join(',')}]`;
}

function clampUnit(a: number): number {
  return a < -1 ? -1 : a > 1 ? 1 : a;
}

/** B copies of two-agent HalfCheetah on one compiled model. */
export class HalfCheetah2x3 implements Environment {
  readonly spec: EnvSpec;
  readonly batch: number;
  readonly #mj: MainModule;
  readonly #options: HalfCheetahOptions;
  #model: MjModel | undefined;
  readonly #data: MjData[];
  #views: CopyViews[];
  readonly #qpos0: Float64Array;

  constructor(mj: MainModule, options: HalfCheetahOptions, batch: number) {
    if (!Number.isInteger(batch) || batch < 1) throw new ConfigError('batch', `must be a positive integer, got ${batch}`, NAME);
    this.#mj = mj;
    this.#options = options;
    this.batch = batch;
    this.spec = {
      name: NAME,
      taskId: taskIdOf(options),
      numAgents: 2,
      learnedAgents: [0, 1],
      obsDims: [OBS_DIM, OBS_DIM],
      actDims: [ACT_DIM, ACT_DIM],
      episodeLength: 1000,
      stateDim: STATE_DIM,
    };
    const model = mj.MjModel.from_xml_string(HALF_CHEETAH_XML);
    this.#model = model;
    this.#qpos0 = Float64Array.from(model.qpos0 as Float64Array);
    this.#data = [];
    try {
      for (let b = 0; b < batch; b++) this.#data.push(new mj.MjData(model));
    } catch (error) {
      this.dispose(); // an out-of-memory heap must not also leak the copies made so far
      throw error;
    }
    this.#views = this.#data.map(viewsOf);
  }

  reset(seeds: ArrayLike<number>): Float32Array[] {
    if (seeds.length !== this.batch) throw new Error(`${NAME}: reset got ${seeds.length} seeds for ${this.batch} copies`);
    const model = this.#liveModel();
    const noise = this.#options.resetNoiseScale;
    this.#refreshViews();
    for (let b = 0; b < this.batch; b++) {
      const rng = new Rng(seeds[b]);
      this.#mj.mj_resetData(model, this.#data[b]);
      const { qpos, qvel } = this.#views[b];
      for (let j = 0; j < NQ; j++) qpos[j] = this.#qpos0[j] + rng.range(-noise, noise);
      for (let j = 0; j < NV; j++) qvel[j] = noise * rng.normal();
      this.#mj.mj_forward(model, this.#data[b]);
    }
    return this.#observations();
  }

  state(): Float32Array {
    this.#refreshViews();
    const out = new Float32Array(this.batch * STATE_DIM);
    for (let b = 0; b < this.batch; b++) {
      const { qpos, qvel } = this.#views[b];
      const row = b * STATE_DIM;
      for (let j = 1; j < NQ; j++) out[row + j - 1] = qpos[j];
      for (let j = 0; j < NV; j++) out[row + NQ - 1 + j] = qvel[j];
    }
    return out;
  }

  step(actions: Float32Array[]): StepResult {
    this.#checkActions(actions);
    const model = this.#liveModel();
    const { ctrlCostWeight } = this.#options;
    const applied = AGENT_ACTUATORS.map(() => new Float32Array(this.batch * ACT_DIM));
    const team = new Float32Array(this.batch);
    this.#refreshViews();
    for (let b = 0; b < this.batch; b++) {
      const { qpos, ctrl } = this.#views[b];
      const xBefore = qpos[0];
      let squaredActions = 0;
      for (let i = 0; i < AGENT_ACTUATORS.length; i++) {
        for (let k = 0; k < ACT_DIM; k++) {
          const a = actions[i][b * ACT_DIM + k];
          ctrl[AGENT_ACTUATORS[i][k]] = a;
          squaredActions += a * a; // spec §2: the cost uses the actions as given, before MuJoCo clamps ctrl
          applied[i][b * ACT_DIM + k] = clampUnit(a);
        }
      }
      for (let s = 0; s < FRAME_SKIP; s++) this.#mj.mj_step(model, this.#data[b]);
      team[b] = (qpos[0] - xBefore) / CONTROL_DT - ctrlCostWeight * squaredActions;
    }
    return {
      obs: this.#observations(),
      actions: applied,
      rewards: [team, team.slice()],
      evalReward: team.slice(),
      state: this.state(),
    };
  }

  getState(): HalfCheetahCopyState[] {
    this.#liveModel();
    this.#refreshViews();
    return this.#views.map((v) => ({
      qpos: Array.from(v.qpos),
      qvel: Array.from(v.qvel),
      qaccWarmstart: Array.from(v.warmstart),
    }));
  }

  setState(state: unknown): void {
    const copies = checkSnapshot(state, this.batch);
    const model = this.#liveModel();
    this.#refreshViews();
    copies.forEach((copy, b) => {
      this.#mj.mj_resetData(model, this.#data[b]);
      const v = this.#views[b];
      v.qpos.set(copy.qpos);
      v.qvel.set(copy.qvel);
      if (copy.qaccWarmstart) v.warmstart.set(copy.qaccWarmstart);
      this.#mj.mj_forward(model, this.#data[b]);
    });
  }

  scene(b: number): Scene {
    const model = this.#liveModel();
    const data = this.#data[b];
    // geom frames from the current qpos: after mj_step they still describe the state before its last substep
    this.#mj.mj_kinematics(model, data);
    const [pos, mat] = [data.geom_xpos as Float64Array, data.geom_xmat as Float64Array];
    const [size, type, body] = [model.geom_size as Float64Array, model.geom_type as Int32Array, model.geom_bodyid as Int32Array];
    const capsule = this.#mj.mjtGeom.mjGEOM_CAPSULE.value;
    const shapes: SceneShape[] = [];
    for (let g = 0; g < model.ngeom; g++) {
      if (type[g] !== capsule) continue;
      // a capsule's axis is its frame's z column; size = [radius, half-length]
      const half = size[3 * g + 1];
      const [ax, az] = [mat[9 * g + 2] * half, mat[9 * g + 8] * half];
      const [x, z] = [pos[3 * g], pos[3 * g + 2]];
      shapes.push({ type: 'segment', kind: BODY_KINDS[body[g]], x1: x - ax, y1: z - az, x2: x + ax, y2: z + az, width: 2 * size[3 * g] });
    }
    return { camera: { mode: 'follow', floor: 0 }, stepSeconds: CONTROL_DT, shapes };
  }

  dispose(): void {
    if (!this.#model) return;
    for (const data of this.#data) data.delete();
    this.#model.delete();
    this.#model = undefined;
  }

  #liveModel(): MjModel {
    if (!this.#model) throw new Error(`${NAME}: environment used after dispose()`);
    return this.#model;
  }

  /** Views detach (length 0) when the shared WASM heap grows, e.g. when another environment allocates. */
  #refreshViews(): void {
    if (this.#views[0].qpos.length === 0) this.#views = this.#data.map(viewsOf);
  }

  #observations(): Float32Array[] {
    return OBSERVED_JOINTS.map((joints) => {
      const out = new Float32Array(this.batch * OBS_DIM);
      for (let b = 0; b < this.batch; b++) {
        const { qpos, qvel } = this.#views[b];
        for (let k = 0; k < joints.length; k++) {
          out[b * OBS_DIM + 2 * k] = qpos[joints[k]];
          out[b * OBS_DIM + 2 * k + 1] = qvel[joints[k]];
        }
      }
      return out;
    });
  }

  #checkActions(actions: Float32Array[]): void {
    if (actions.length !== AGENT_ACTUATORS.length) {
      throw new Error(`${NAME}: step needs ${AGENT_ACTUATORS.length} action arrays (one per agent), got ${actions.length}`);
    }
    actions.forEach((a, i) => {
      if (a.length !== this.batch * ACT_DIM) {
        throw new Error(`${NAME}: agent ${i} actions have length ${a.length}, expected ${this.batch} × ${ACT_DIM}`);
      }
    });
  }
}

/** Checks a `getState()` snapshot's shape and names the first wrong field. */
function checkSnapshot(state: unknown, batch: number): HalfCheetahCopyState[] {
  if (!Array.isArray(state) || state.length !== batch) {
    throw new ConfigError('state', `expected an array of ${batch} copy snapshots`, NAME);
  }
  const fields: [keyof HalfCheetahCopyState, number, boolean][] = [
    ['qpos', NQ, true],
    ['qvel', NV, true],
    ['qaccWarmstart', NV, false],
  ];
  state.forEach((copy: Record<string, unknown>, b) => {
    for (const [field, length, required] of fields) {
      const value = copy?.[field];
      if (value === undefined && !required) continue;
      if (!Array.isArray(value) || value.length !== length || !value.every(Number.isFinite)) {
        throw new ConfigError(`state/${b}/${field}`, `expected ${length} finite numbers`, NAME);
      }
    }
  });
  return state as HalfCheetahCopyState[];
}

const OPTIONS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ctrlCostWeight', 'resetNoiseScale'],
  properties: {
    ctrlCostWeight: { type: 'number', minimum: 0, description: 'weight of the control cost Σ a² in the reward' },
    resetNoiseScale: { type: 'number', minimum: 0, description: 'scale of the uniform/normal start-state noise' },
  },
};

/** Registry entry: `halfcheetah-2x3`. */
export const halfCheetah2x3: EnvironmentDef<HalfCheetahOptions> = {
  name: NAME,
  description: 'two-agent HalfCheetah (back leg / front leg, 3 joints each) on MuJoCo WASM, 1000-step episodes (spec §2)',
  datasetPresets: halfCheetahDatasetPresets,
  defaults: DEFAULTS,
  schema: OPTIONS_SCHEMA,
  benchBatches: [1, 10],
  async create(options, batch) {
    return new HalfCheetah2x3(await mujocoModule(), options, batch);
  },
};
