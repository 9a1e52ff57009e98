/**
 * The project's default prey (spec §1.5 asks for one shipped with the harness): a deterministic evasive rule that
 * reads only the prey's own observation, so it plugs in where OMAR's network would.
 *
 * Rule, from the prey's observation (own position `p` at offset 2, predator k's relative position `r_k` at
 * `predatorOffset + 2k`):
 * 1. flee:   `f = Σ_k −r_k / |r_k|²` — away from every predator, the nearest weighing most (a predator on the prey
 *            itself, `|r_k| = 0`, is ignored: it gives no direction);
 * 2. walls:  per axis, `w = −sign(p) · WALL_GAIN · max(0, |p| − WALL_START)` — a push back towards the centre that
 *            starts before the bound penalty does (|p| ≥ 0.9, spec §1.3) and grows with depth;
 * 3. action: `(f + w) / |f + w|`, a unit vector (so each component is already in [-1, 1]); zero if `f + w = 0`.
 * The task id names it `scripted`; results with it are a different task from OMAR's prey (spec §1.5).
 */
import type { FixedPolicy } from './scenario.ts';

/** Distance from the centre, per axis, where the wall push starts. */
const WALL_START = 0.6;
/** Push per unit of depth past WALL_START; at |p| = 0.9 it is 6, outweighing a predator at distance ≥ 1/6. */
const WALL_GAIN = 20;
const POSITION_OFFSET = 2;

export class ScriptedPrey implements FixedPolicy {
  readonly id = 'scripted';
  readonly obsDim: number;
  readonly #predatorOffset: number;
  readonly #numPredators: number;

  /** `predatorOffset`: where the predators' relative positions start in the prey's observation. */
  constructor(obsDim: number, predatorOffset: number, numPredators: number) {
    if (predatorOffset + 2 * numPredators > obsDim) throw new RangeError('predator positions exceed the observation');
    this.obsDim = obsDim;
    this.#predatorOffset = predatorOffset;
    this.#numPredators = numPredators;
  }

  act(obs: Float32Array, batch: number, out: Float32Array): void {
    for (let b = 0; b < batch; b++) {
      const row = b * this.obsDim;
      let dx = 0;
      let dy = 0;
      for (let k = 0; k < this.#numPredators; k++) {
        const rx = obs[row + this.#predatorOffset + 2 * k];
        const ry = obs[row + this.#predatorOffset + 2 * k + 1];
        const d2 = rx * rx + ry * ry;
        if (d2 === 0) continue;
        dx -= rx / d2;
        dy -= ry / d2;
      }
      dx += wallPush(obs[row + POSITION_OFFSET]);
      dy += wallPush(obs[row + POSITION_OFFSET + 1]);
      const norm = Math.hypot(dx, dy);
      out[2 * b] = norm > 0 ? dx / norm : 0;
      out[2 * b + 1] = norm > 0 ? dy / norm : 0;
    }
  }
}

function wallPush(p: number): number {
  return -Math.sign(p) * WALL_GAIN * Math.max(0, Math.abs(p) - WALL_START);
}
