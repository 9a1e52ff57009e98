/**
 * The physics core shared by every MPE scenario (spec §1.1), batched over B independent copies.
 *
 * State lives in flat Float64Arrays, `B × E × 2` (copy-major, then entity in world order: agents first, then
 * landmarks), so one step is a few tight loops with no allocation. Float64 matches the reference's numpy math.
 *
 * One step, per copy:
 * 1. action force   `F_i = mass · (accel ?? 1) · (accel ?? 5) · a_i` (agents only; spec §1.1 "Action force")
 * 2. contact force  for every unordered pair that both collide with at least one movable:
 *                   `f = contact_force · delta / dist · softplus(−(dist − dmin)/margin) · margin`,
 *                   `+f` on A, `−f` on B (movable ones only); `dist == 0` contributes nothing (no NaN).
 * 3. integrate      `v ← v·(1 − damping) + (F/mass)·dt`, clamp `|v|` to `max_speed`, `p ← p + v·dt`.
 */

/** World constants (spec §1.1). */
export const DT = 0.1;
export const DAMPING = 0.25;
export const MASS = 1;
export const CONTACT_FORCE = 100;
export const CONTACT_MARGIN = 1e-3;
/** Sensitivity applied to actions when an agent has no `accel` (the reference's `5.0`). */
const DEFAULT_SENSITIVITY = 5;

/** Physical properties of one entity. */
export interface EntityProps {
  size: number;
  movable: boolean;
  collide: boolean;
  /** Agents only; absent means sensitivity 5 and force factor 1. */
  accel?: number;
  /** Speed limit; absent means unlimited. */
  maxSpeed?: number;
  /** What the entity is (`agent`, `landmark`, `prey`, ...) for drawing (`Environment.scene`); physics ignores it. */
  kind?: string;
}

/** `log(1 + exp(x))` without overflow (numpy's `logaddexp(0, x)`). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** B copies of one world. Agents are entities `0 … numAgents−1`, landmarks follow. */
export class World {
  readonly batch: number;
  readonly numAgents: number;
  readonly numEntities: number;
  readonly entities: readonly EntityProps[];
  /** Positions and velocities, `B × E × 2`. Immovable entities keep `v = 0`. */
  readonly pos: Float64Array;
  readonly vel: Float64Array;
  /** Actions of every agent for the next step, `B × numAgents × 2`; written by the environment. */
  readonly action: Float64Array;
  /** Force per unit action of each agent: `mass · (accel ?? 1) · (accel ?? 5)` (spec §1.1: 5, 9, 16). */
  readonly actionGain: Float64Array;
  readonly #force: Float64Array;
  /** Flat `[a0, b0, a1, b1, …]` entity pairs with a contact force, `a < b`, in the reference's order. */
  readonly #contactPairs: Int32Array;

  constructor(agents: readonly EntityProps[], landmarks: readonly EntityProps[], batch: number) {
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, got ${batch}`);
    this.batch = batch;
    this.numAgents = agents.length;
    this.entities = [...agents, ...landmarks];
    this.numEntities = this.entities.length;
    const cells = batch * this.numEntities * 2;
    this.pos = new Float64Array(cells);
    this.vel = new Float64Array(cells);
    this.#force = new Float64Array(cells);
    this.action = new Float64Array(batch * this.numAgents * 2);
    this.actionGain = Float64Array.from(agents, (a) => MASS * (a.accel ?? 1) * (a.accel ?? DEFAULT_SENSITIVITY));
    const pairs: number[] = [];
    for (let a = 0; a < this.numEntities; a++) {
      for (let b = a + 1; b < this.numEntities; b++) {
        const ea = this.entities[a];
        const eb = this.entities[b];
        if (ea.collide && eb.collide && (ea.movable || eb.movable)) pairs.push(a, b);
      }
    }
    this.#contactPairs = Int32Array.from(pairs);
  }

  /** Index of entity `e`'s x coordinate in copy `b` (y follows). */
  at(b: number, e: number): number {
    return (b * this.numEntities + e) * 2;
  }

  /** Euclidean distance between entities `i` and `j` of copy `b`. */
  distance(b: number, i: number, j: number): number {
    const pi = this.at(b, i);
    const pj = this.at(b, j);
    const dx = this.pos[pi] - this.pos[pj];
    const dy = this.pos[pi + 1] - this.pos[pj + 1];
    // √(dx² + dy²) as the reference computes it (Math.hypot differs in the last bit and is slower)
    return Math.sqrt(dx * dx + dy * dy);
  }

  /** Sets every coordinate of copy `b` to zero velocity (positions are the scenario's to draw). */
  clearVelocities(b: number): void {
    this.vel.fill(0, this.at(b, 0), this.at(b + 1, 0));
  }

  /** Advances every copy by one `dt` using `this.action`. */
  step(): void {
    for (let b = 0; b < this.batch; b++) {
      this.#applyActionForce(b);
      this.#applyContactForce(b);
      this.#integrate(b);
    }
  }

  #applyActionForce(b: number): void {
    const force = this.#force;
    force.fill(0, this.at(b, 0), this.at(b + 1, 0));
    const actionBase = b * this.numAgents * 2;
    for (let i = 0; i < this.numAgents; i++) {
      const f = this.at(b, i);
      const a = actionBase + 2 * i;
      force[f] = this.action[a] * this.actionGain[i];
      force[f + 1] = this.action[a + 1] * this.actionGain[i];
    }
  }

  #applyContactForce(b: number): void {
    const { pos, entities } = this;
    const force = this.#force;
    const pairs = this.#contactPairs;
    for (let k = 0; k < pairs.length; k += 2) {
      const ia = pairs[k];
      const ib = pairs[k + 1];
      const pa = this.at(b, ia);
      const pb = this.at(b, ib);
      const dx = pos[pa] - pos[pb];
      const dy = pos[pa + 1] - pos[pb + 1];
      const dist = Math.sqrt(dx * dx + dy * dy);
      // spec §1.1: coincident entities exert no force (the reference would divide by zero).
      if (dist === 0) continue;
      const dmin = entities[ia].size + entities[ib].size;
      const penetration = softplus(-(dist - dmin) / CONTACT_MARGIN) * CONTACT_MARGIN;
      const fx = ((CONTACT_FORCE * dx) / dist) * penetration;
      const fy = ((CONTACT_FORCE * dy) / dist) * penetration;
      if (entities[ia].movable) {
        force[pa] += fx;
        force[pa + 1] += fy;
      }
      if (entities[ib].movable) {
        force[pb] -= fx;
        force[pb + 1] -= fy;
      }
    }
  }

  #integrate(b: number): void {
    const { pos, vel, entities } = this;
    const force = this.#force;
    for (let e = 0; e < this.numEntities; e++) {
      const entity = entities[e];
      if (!entity.movable) continue;
      const k = this.at(b, e);
      let vx = vel[k] * (1 - DAMPING) + (force[k] / MASS) * DT;
      let vy = vel[k + 1] * (1 - DAMPING) + (force[k + 1] / MASS) * DT;
      if (entity.maxSpeed !== undefined) {
        const speed = Math.sqrt(vx * vx + vy * vy);
        if (speed > entity.maxSpeed) {
          vx = (vx / speed) * entity.maxSpeed;
          vy = (vy / speed) * entity.maxSpeed;
        }
      }
      vel[k] = vx;
      vel[k + 1] = vy;
      pos[k] += vx * DT;
      pos[k + 1] += vy * DT;
    }
  }
}
