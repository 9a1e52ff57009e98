/**
 * World, `simple_world` (spec §1.4; OMAR's variant, not `simple_world_comm`): predator-prey with an obstacle,
 * food the prey is rewarded for reaching, and forests.
 *
 * ## Entities (world order)
 * | index | entity    | size  | collide | movable | accel | force | max speed |
 * |-------|-----------|-------|---------|---------|-------|-------|-----------|
 * | 0–2   | predator  | 0.075 | yes     | yes     | 3     | 9a    | 1.0       |
 * | 3     | prey      | 0.045 | yes     | yes     | 4     | 16a   | 1.3       |
 * | 4     | obstacle  | 0.2   | yes     | no      |       |       |           |
 * | 5–6   | food      | 0.03  | no      | no      |       |       |           |
 * | 7–8   | forest    | 0.3   | no      | no      |       |       |           |
 *
 * ## Reset (draw order matters)
 * Each agent `p ~ U(−1, 1)²`; then all 5 landmarks `p ~ U(−0.9, 0.9)²`; then the 2 food again; then the 2 forests
 * again (x then y each); all velocities 0.
 *
 * ## Observation (predator 24, prey 22)
 * | offset (pred / prey) | length | content                                                        |
 * |----------------------|--------|----------------------------------------------------------------|
 * | 0                    | 2      | own velocity                                                   |
 * | 2                    | 2      | own position                                                   |
 * | 4                    | 10     | landmark position − own position, × 5 (obstacle, food, forest) |
 * | 14                   | 6      | other agent position − own position, × 3, world order          |
 * | 20 / —               | 2      | prey velocity (predators only)                                 |
 * | 22 / 20              | 2      | in forest k: +1 if dist(self, forest k) < size_self + 0.3, else −1 |
 *
 * ## Reward
 * Predator (shared): `−0.1 · Σ_pred dist(pred, prey) + 5 · #{pred : dist(pred, prey) < 0.12}`.
 * Prey: `+0.1 · Σ_pred dist − 5 · #contacts − 2 · Σ_{x,y} bound(|p|) + 2 · #{food : dist < 0.075}
 * + 0.05 · min_food dist` (the `+` on the last term is the reference's).
 * Evaluation return: Σ over the 25 steps of predator 0's reward.
 *
 * ## Options
 * As `simple_tag`: `prey` (`scripted` | path to OMAR's checkpoint), `preyHead` (`tanh` | `linear`).
 */
import type { EnvironmentDef } from '../../contracts/types.ts';
import type { Rng } from '../../contracts/rng.ts';
import { MpeEnvironment } from './environment.ts';
import { PREY, predatorPreyScenario, preyDefaults, preyOptionsSchema, type PreyOptions } from './predator-prey.ts';
import { drawPosition, inContact } from './scenario.ts';
import type { EntityProps, World } from './world.ts';
import { mpeDatasetPresets } from './dataset-presets.ts';

const OBSTACLE: EntityProps = { size: 0.2, movable: false, collide: true, kind: 'obstacle' };
const FOOD: EntityProps = { size: 0.03, movable: false, collide: false, kind: 'food' };
const FOREST: EntityProps = { size: 0.3, movable: false, collide: false, kind: 'forest' };
/** World indices of the landmarks. */
const FIRST_LANDMARK = PREY + 1;
const FOODS = [FIRST_LANDMARK + 1, FIRST_LANDMARK + 2];
const FORESTS = [FIRST_LANDMARK + 3, FIRST_LANDMARK + 4];
const FOOD_REWARD = 2;
const FOOD_DISTANCE_WEIGHT = 0.05;

/** Builds the world scenario with the prey the options name. */
export function worldScenario(options: PreyOptions) {
  return predatorPreyScenario(
    {
      name: 'simple_world',
      preySize: 0.045,
      landmarks: [OBSTACLE, FOOD, FOOD, FOREST, FOREST],
      catchReward: 5,
      boundWeight: 2,
      resetLandmarks(world: World, b: number, rng: Rng) {
        for (let e = FIRST_LANDMARK; e < FIRST_LANDMARK + 5; e++) drawPosition(world, b, e, 0.9, rng);
        for (const e of [...FOODS, ...FORESTS]) drawPosition(world, b, e, 0.9, rng);
      },
      extraObservation: {
        dim: FORESTS.length,
        write(world: World, b: number, i: number, out: Float32Array, offset: number) {
          FORESTS.forEach((forest, k) => (out[offset + k] = inContact(world, b, i, forest) ? 1 : -1));
          return offset + FORESTS.length;
        },
      },
      preyBonus(world: World, b: number) {
        let eaten = 0;
        let nearest = Infinity;
        for (const food of FOODS) {
          if (inContact(world, b, PREY, food)) eaten++;
          nearest = Math.min(nearest, world.distance(b, PREY, food));
        }
        return FOOD_REWARD * eaten + FOOD_DISTANCE_WEIGHT * nearest;
      },
    },
    options,
  );
}

export const simpleWorld: EnvironmentDef<PreyOptions> = {
  name: 'simple_world',
  description: "MPE world: predator-prey with an obstacle, food and forests, OMAR's variant (spec §1.4)",
  datasetPresets: mpeDatasetPresets,
  defaults: preyDefaults,
  schema: preyOptionsSchema,
  async create(options: PreyOptions, batch: number) {
    return new MpeEnvironment(await worldScenario(options), batch);
  },
};
