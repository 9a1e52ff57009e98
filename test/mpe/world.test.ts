/** Single-step physics of the MPE core against values computed by hand from spec §1.1. */
import { describe, expect, it } from 'vitest';
import { World, type EntityProps } from '../../envs/mpe/world.ts';

const spreadAgent: EntityProps = { size: 0.15, movable: true, collide: true };
const predator: EntityProps = { size: 0.075, movable: true, collide: true, accel: 3, maxSpeed: 1 };
const prey: EntityProps = { size: 0.05, movable: true, collide: true, accel: 4, maxSpeed: 1.3 };
const rock: EntityProps = { size: 0.2, movable: false, collide: true };

/** A one-copy world with the given agents placed at `positions` (agents first, then landmarks). */
function worldAt(agents: EntityProps[], landmarks: EntityProps[], positions: [number, number][]): World {
  const world = new World(agents, landmarks, 1);
  positions.forEach(([x, y], e) => {
    world.pos[2 * e] = x;
    world.pos[2 * e + 1] = y;
  });
  return world;
}

describe('action force and integration', () => {
  it('a spread agent at rest pushed with a = (1, 0) moves with v = 5·0.1 = 0.5 and p += 0.05', () => {
    const world = worldAt([spreadAgent], [], [[0.2, -0.3]]);
    world.action.set([1, 0]);
    world.step();
    expect(world.vel[0]).toBeCloseTo(0.5, 12);
    expect(world.vel[1]).toBe(0);
    expect(world.pos[0]).toBeCloseTo(0.25, 12);
    expect(world.pos[1]).toBeCloseTo(-0.3, 12);
  });

  it('damping keeps 75 % of the old velocity before adding F·dt', () => {
    const world = worldAt([spreadAgent], [], [[0, 0]]);
    world.vel.set([0.4, -0.8]);
    world.action.set([0.5, 0]);
    world.step();
    // v = 0.4·0.75 + 5·0.5·0.1 = 0.55 ; vy = −0.8·0.75 = −0.6
    expect(world.vel[0]).toBeCloseTo(0.55, 12);
    expect(world.vel[1]).toBeCloseTo(-0.6, 12);
    expect(world.pos[0]).toBeCloseTo(0.055, 12);
    expect(world.pos[1]).toBeCloseTo(-0.06, 12);
  });

  it.each([
    ['spread agent, no accel', spreadAgent, 5],
    ['predator, accel 3', predator, 9],
    ['prey, accel 4', prey, 16],
  ])('%s: F = %#a with gain from spec §1.1', (_label, agent, gain) => {
    const world = worldAt([agent], [], [[0, 0]]);
    world.action.set([0.05, -0.02]);
    world.step();
    expect(world.actionGain[0]).toBe(gain);
    expect(world.vel[0]).toBeCloseTo(gain * 0.05 * 0.1, 12);
    expect(world.vel[1]).toBeCloseTo(gain * -0.02 * 0.1, 12);
  });

  it('a predator faster than max speed 1 is rescaled to speed 1 along its direction', () => {
    const world = worldAt([predator], [], [[0, 0]]);
    world.vel.set([1, 0]);
    world.action.set([1, 1]);
    world.step();
    // unclamped v = (0.75 + 0.9, 0.9) = (1.65, 0.9), speed √3.5325 ≈ 1.87950
    const speed = Math.sqrt(1.65 * 1.65 + 0.9 * 0.9);
    expect(world.vel[0]).toBeCloseTo(1.65 / speed, 12);
    expect(world.vel[1]).toBeCloseTo(0.9 / speed, 12);
    expect(Math.hypot(world.vel[0], world.vel[1])).toBeCloseTo(1, 12);
    expect(world.pos[0]).toBeCloseTo((0.1 * 1.65) / speed, 12);
  });
});

describe('soft contact force', () => {
  it('two spread agents exactly touching (dist = dmin = 0.3) push apart with 100·ln2·1e-3', () => {
    const world = worldAt([spreadAgent, spreadAgent], [], [[0.3, 0], [0, 0]]);
    world.step();
    const f = 100 * Math.LN2 * 1e-3; // 0.0693147…
    expect(world.vel[0]).toBeCloseTo(f * 0.1, 12);
    expect(world.vel[2]).toBeCloseTo(-f * 0.1, 12);
    expect(world.vel[1]).toBe(0);
    expect(world.vel[3]).toBe(0);
  });

  it('penetration of 1 margin (dist 0.299) gives softplus(1)·1e-3 along the diagonal', () => {
    const d = 0.299;
    const world = worldAt([spreadAgent, spreadAgent], [], [[d / Math.SQRT2, d / Math.SQRT2], [0, 0]]);
    world.step();
    const f = 100 * Math.log(1 + Math.E) * 1e-3; // 0.131326…
    expect(world.vel[0]).toBeCloseTo((f / Math.SQRT2) * 0.1, 10);
    expect(world.vel[1]).toBeCloseTo((f / Math.SQRT2) * 0.1, 10);
    expect(world.vel[2]).toBeCloseTo(-(f / Math.SQRT2) * 0.1, 10);
  });

  it('far-apart entities exert exactly zero force (exp(−1700) underflows)', () => {
    const world = worldAt([spreadAgent, spreadAgent], [], [[2, 0], [0, 0]]);
    world.step();
    expect([...world.vel]).toEqual([0, 0, 0, 0]);
  });

  it('an immovable landmark pushes an overlapping predator and does not move', () => {
    // predator at x = 0.25 from the rock's centre: dmin 0.275, penetration 25 margins → softplus(25) ≈ 25
    const world = worldAt([predator], [rock], [[0.25, 0], [0, 0]]);
    world.step();
    const f = 100 * (25 + Math.log1p(Math.exp(-25))) * 1e-3;
    expect(world.vel[0]).toBeCloseTo(f * 0.1, 10);
    expect([world.pos[2], world.pos[3], world.vel[2], world.vel[3]]).toEqual([0, 0, 0, 0]);
  });

  it('entities that do not collide ignore each other even when overlapping', () => {
    const ghost: EntityProps = { size: 0.3, movable: false, collide: false };
    const world = worldAt([spreadAgent], [ghost], [[0.1, 0], [0, 0]]);
    world.step();
    expect(world.vel[0]).toBe(0);
  });

  it('coincident positions give zero contact force and no NaN', () => {
    const world = worldAt([predator, prey, spreadAgent], [rock], [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]);
    world.action.set([0.1, 0, 0, 0, 0, 0]);
    world.step();
    expect([...world.pos, ...world.vel].every(Number.isFinite)).toBe(true);
    expect(world.vel[0]).toBeCloseTo(0.09, 12);
    expect([world.vel[2], world.vel[3], world.vel[4], world.vel[5]]).toEqual([0, 0, 0, 0]);
  });
});

describe('batching', () => {
  it('copies do not interact: copy 1 is unaffected by an overlapping pair in copy 0', () => {
    const world = new World([spreadAgent, spreadAgent], [], 2);
    world.pos.set([0.1, 0, 0, 0, 3, 0, -3, 0]);
    world.step();
    expect(world.vel[0]).toBeGreaterThan(0);
    expect([...world.vel.subarray(4)]).toEqual([0, 0, 0, 0]);
  });
});
