/**
 * Predator-prey, `simple_tag` (spec §1.3): 3 learned predators chase 1 fixed prey among 2 obstacles.
 *
 * ## Entities (world order)
 * | index | entity    | size  | collide | movable | accel | force | max speed |
 * |-------|-----------|-------|---------|---------|-------|-------|-----------|
 * | 0–2   | predator  | 0.075 | yes     | yes     | 3     | 9a    | 1.0       |
 * | 3     | prey      | 0.05  | yes     | yes     | 4     | 16a   | 1.3       |
 * | 4–5   | landmark  | 0.2   | yes     | no      |       |       |           |
 *
 * ## Reset
 * Each agent `p ~ U(−1, 1)²` (x then y), then each landmark `p ~ U(−0.9, 0.9)²`; all velocities 0.
 *
 * ## Observation (predator 16, prey 14)
 * | offset | length | content                                                |
 * |--------|--------|--------------------------------------------------------|
 * | 0      | 2      | own velocity                                           |
 * | 2      | 2      | own position                                           |
 * | 4      | 4      | landmark position − own position, × 2                  |
 * | 8      | 6      | other agent position − own position, × 3, world order  |
 * | 14     | 2      | prey velocity (predators only)                         |
 *
 * ## Reward
 * Predator (the same for all three): `−0.1 · Σ_pred dist(pred, prey) + 10 · #{pred : dist(pred, prey) < 0.125}`.
 * Prey: `+0.1 · Σ_pred dist − 10 · #contacts − Σ_{x,y} bound(|p|)`, `bound` as in `predator-prey.ts`.
 * Evaluation return: Σ over the 25 steps of predator 0's reward.
 *
 * ## Options
 * `prey`: `scripted` (default, task `simple_tag[prey=scripted]`) or a path to OMAR's checkpoint
 * (`simple_tag[prey=omar]`); `preyHead`: `tanh` (default) or `linear`.
 */
import type { EnvironmentDef } from '../../contracts/types.ts';
import type { Rng } from '../../contracts/rng.ts';
import { MpeEnvironment } from './environment.ts';
import { PREY, predatorPreyScenario, preyDefaults, preyOptionsSchema, type PreyOptions } from './predator-prey.ts';
import { drawPosition } from './scenario.ts';
import type { EntityProps, World } from './world.ts';
import { mpeDatasetPresets } from './dataset-presets.ts';

const OBSTACLE: EntityProps = { size: 0.2, movable: false, collide: true, kind: 'obstacle' };
const NUM_LANDMARKS = 2;

/** Builds the tag scenario with the prey the options name. */
export function tagScenario(options: PreyOptions) {
  return predatorPreyScenario(
    {
      name: 'simple_tag',
      preySize: 0.05,
      landmarks: Array<EntityProps>(NUM_LANDMARKS).fill(OBSTACLE),
      catchReward: 10,
      boundWeight: 1,
      resetLandmarks(world: World, b: number, rng: Rng) {
        for (let l = 0; l < NUM_LANDMARKS; l++) drawPosition(world, b, PREY + 1 + l, 0.9, rng);
      },
    },
    options,
  );
}

export const simpleTag: EnvironmentDef<PreyOptions> = {
  name: 'simple_tag',
  description: 'MPE predator-prey: 3 learned predators, 1 fixed prey, 2 obstacles (spec §1.3)',
  datasetPresets: mpeDatasetPresets,
  defaults: preyDefaults,
  schema: preyOptionsSchema,
  async create(options: PreyOptions, batch: number) {
    return new MpeEnvironment(await tagScenario(options), batch);
  },
};
