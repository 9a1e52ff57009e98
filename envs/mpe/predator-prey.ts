/**
 * What predator-prey (`simple_tag`, spec §1.3) and world (`simple_world`, spec §1.4) share: 3 learned predators
 * chasing 1 fixed prey, their entities, the observation prefix, the chase reward and the prey option. Each task
 * file supplies its landmarks, reset, constants and extra terms; its doc comment is the full spec.
 */
import type { JsonSchema } from '../../contracts/types.ts';
import type { Rng } from '../../contracts/rng.ts';
import { loadOmarPrey, type PreyHead } from './prey-omar.ts';
import { ScriptedPrey } from './prey-scripted.ts';
import { drawPosition, inContact, writePosition, writeRelative, writeVelocity, type FixedPolicy, type Scenario } from './scenario.ts';
import type { EntityProps, World } from './world.ts';

export const NUM_PREDATORS = 3;
/** World index of the prey: after the predators. */
export const PREY = NUM_PREDATORS;
const PREDATOR: EntityProps = { size: 0.075, movable: true, collide: true, accel: 3, maxSpeed: 1, kind: 'predator' };
/** Shaping weight of the predator–prey distance in both rewards. */
const DISTANCE_WEIGHT = 0.1;

/** The fixed prey, chosen by option (spec §1.5). */
export interface PreyOptions {
  /** `scripted` (the project's evasive rule) or a path to OMAR's `pretrained_adv_model.pt`. */
  prey: string;
  /** Head of a checkpoint prey: `tanh` (OMAR) or `linear` (OM2P's code); ignored by the scripted prey. */
  preyHead: PreyHead;
}

export const preyDefaults: PreyOptions = { prey: 'scripted', preyHead: 'tanh' };

export const preyOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['prey', 'preyHead'],
  properties: {
    prey: { type: 'string', minLength: 1, description: "'scripted' or a path to OMAR's pretrained_adv_model.pt" },
    preyHead: { enum: ['tanh', 'linear'], description: 'output head of a checkpoint prey, before the clamp to [-1, 1]' },
  },
};

/** Task-specific parts of a predator-prey scenario. */
export interface PredatorPreyConfig {
  name: string;
  preySize: number;
  landmarks: EntityProps[];
  /** Reward per (prey, predator) pair in contact: to each predator, minus to the prey. */
  catchReward: number;
  /** Weight of the prey's bound penalty. */
  boundWeight: number;
  /** Draws every landmark of copy `b` (agents are already drawn from U(−1, 1)²). */
  resetLandmarks(world: World, b: number, rng: Rng): void;
  /** Observation entries after the common prefix, written for agent `i`; returns the next offset. */
  extraObservation?: { dim: number; write(world: World, b: number, i: number, out: Float32Array, offset: number): number };
  /** Added to the prey's reward (world's food terms). */
  preyBonus?(world: World, b: number): number;
}

/** The prey's bound penalty per coordinate (spec §1.3): 0 inside 0.9, linear to 1, then exponential capped at 10. */
export function boundPenalty(x: number): number {
  if (x < 0.9) return 0;
  if (x < 1) return 10 * (x - 0.9);
  return Math.min(Math.exp(2 * x - 2), 10);
}

/** Builds the scenario, loading the prey the options name. */
export async function predatorPreyScenario(config: PredatorPreyConfig, options: PreyOptions): Promise<Scenario> {
  const numLandmarks = config.landmarks.length;
  const extraDim = config.extraObservation?.dim ?? 0;
  // [v, p, rel landmarks, rel other agents] + prey velocity (predators only) + extra
  const preyObsDim = 4 + 2 * numLandmarks + 2 * NUM_PREDATORS + extraDim;
  const predatorOffset = 4 + 2 * numLandmarks;
  const fixedPolicy = await loadPrey(options, preyObsDim, predatorOffset);
  const agents = [...Array<EntityProps>(NUM_PREDATORS).fill(PREDATOR), { size: config.preySize, movable: true, collide: true, accel: 4, maxSpeed: 1.3, kind: 'prey' }];
  return {
    name: config.name,
    taskId: `${config.name}[prey=${fixedPolicy.id}]`,
    agents,
    landmarks: config.landmarks,
    obsDims: agents.map((_, i) => preyObsDim + (i === PREY ? 0 : 2)),
    learnedAgents: [...Array(NUM_PREDATORS).keys()],
    fixedPolicy,
    reset(world: World, b: number, rng: Rng) {
      for (let i = 0; i <= PREY; i++) drawPosition(world, b, i, 1, rng);
      config.resetLandmarks(world, b, rng);
    },
    observe(world: World, b: number, i: number, out: Float32Array, offset: number) {
      let k = writeVelocity(world, b, i, out, offset);
      k = writePosition(world, b, i, out, k);
      for (let l = 0; l < numLandmarks; l++) k = writeRelative(world, b, PREY + 1 + l, i, out, k);
      for (let j = 0; j <= PREY; j++) if (j !== i) k = writeRelative(world, b, j, i, out, k);
      if (i !== PREY) k = writeVelocity(world, b, PREY, out, k);
      config.extraObservation?.write(world, b, i, out, k);
    },
    rewards(world: World, b: number, out: Float64Array) {
      let distanceSum = 0;
      let catches = 0;
      for (let i = 0; i < NUM_PREDATORS; i++) {
        distanceSum += world.distance(b, i, PREY);
        if (inContact(world, b, i, PREY)) catches++;
      }
      const predatorReward = -DISTANCE_WEIGHT * distanceSum + config.catchReward * catches;
      for (let i = 0; i < NUM_PREDATORS; i++) out[i] = predatorReward;
      const p = world.at(b, PREY);
      const bounds = boundPenalty(Math.abs(world.pos[p])) + boundPenalty(Math.abs(world.pos[p + 1]));
      out[PREY] = DISTANCE_WEIGHT * distanceSum - config.catchReward * catches - config.boundWeight * bounds + (config.preyBonus?.(world, b) ?? 0);
    },
    // spec §1.3: the evaluation return is the first predator's
    evalReward: (rewards: Float64Array) => rewards[0],
  };
}

function loadPrey(options: PreyOptions, obsDim: number, predatorOffset: number): Promise<FixedPolicy> | FixedPolicy {
  if (options.prey === 'scripted') return new ScriptedPrey(obsDim, predatorOffset, NUM_PREDATORS);
  return loadOmarPrey(options.prey, options.preyHead, obsDim);
}
