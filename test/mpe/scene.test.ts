/** What the MPE environments draw for the report's viewer: every entity as a disc of its size (spec §1.2–1.4 tables) where it is. */
import { describe, expect, it } from 'vitest';
import { createEnvironment } from '../../harness/run/episodes.ts';

describe('MPE scenes', () => {
  it('spread: three agents (0.15) then three landmarks (0.05), at their snapshot positions, agents trailing', async () => {
    const env = await createEnvironment('simple_spread', {}, 2);
    const agents = [[-0.5, 0.25], [0, 0], [0.75, -0.5]].map((p) => ({ p, v: [0, 0] }));
    const landmarks = [[0.1, 0.2], [-0.3, 0.4], [0.5, 0.6]].map((p) => ({ p }));
    const other = { agents: agents.map((a) => ({ ...a, p: [9, 9] })), landmarks };
    env.setState([other, { agents, landmarks }]);
    const scene = env.scene!(1);
    expect(scene.camera).toEqual({ mode: 'fixed' });
    expect(scene.stepSeconds).toBe(0.1);
    expect(scene.shapes).toEqual([
      ...agents.map(({ p }) => ({ type: 'circle', kind: 'agent', x: p[0], y: p[1], r: 0.15, trail: true })),
      ...landmarks.map(({ p }) => ({ type: 'circle', kind: 'landmark', x: p[0], y: p[1], r: 0.05, trail: false })),
    ]);
  });

  it.each([
    ['simple_tag', ['predator', 'predator', 'predator', 'prey', 'obstacle', 'obstacle'], [0.075, 0.075, 0.075, 0.05, 0.2, 0.2]],
    ['simple_world', ['predator', 'predator', 'predator', 'prey', 'obstacle', 'food', 'food', 'forest', 'forest'], [0.075, 0.075, 0.075, 0.045, 0.2, 0.03, 0.03, 0.3, 0.3]],
  ])('%s: predators, the prey and the landmarks by kind and size', async (name, kinds, sizes) => {
    const env = await createEnvironment(name, {}, 1);
    env.reset([7]);
    const shapes = env.scene!(0).shapes;
    expect(shapes.map((s) => s.kind)).toEqual(kinds);
    expect(shapes.map((s) => (s.type === 'circle' ? s.r : NaN))).toEqual(sizes);
    // only the agents move, so only they leave a trail
    expect(shapes.map((s) => s.type === 'circle' && s.trail)).toEqual(kinds.map((kind) => kind === 'predator' || kind === 'prey'));
  });
});
