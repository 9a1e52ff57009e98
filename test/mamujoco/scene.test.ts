/**
 * HalfCheetah's side view for the report's viewer, against the MJCF (`half-cheetah-model.ts`): the torso capsule runs from
 * −0.5 to 0.5 along the torso's x axis at the root (x = qpos[0], z = 0.7 + qpos[1]), pitched by rooty (qpos[2]); the head
 * (half-length 0.15) sits at (0.6, 0.1) from the root, tilted 0.87 rad about y.
 */
import { describe, expect, it } from 'vitest';
import { createEnvironment } from '../../harness/run/episodes.ts';
import type { SceneShape } from '../../contracts/types.ts';

/** A segment's two ends, left one first. */
const ends = (s: SceneShape) => {
  if (s.type !== 'segment') throw new Error('expected a segment');
  const points = [[s.x1, s.y1], [s.x2, s.y2]];
  return points.sort((a, b) => a[0] - b[0]);
};

/** Rotation about +y by θ seen from the side: local (x, z) → world (x cos θ + z sin θ, −x sin θ + z cos θ). */
const pitch = ([x, z]: number[], theta: number) => [x * Math.cos(theta) + z * Math.sin(theta), -x * Math.sin(theta) + z * Math.cos(theta)];

describe('HalfCheetah scene', () => {
  it.each([0, 0.4])('draws the torso and head from qpos (rooty %s), eight capsules, followed over the floor', async (theta) => {
    const env = await createEnvironment('halfcheetah-2x3', {}, 1);
    try {
      const qpos = [2.5, -0.1, theta, 0, 0, 0, 0, 0, 0];
      env.setState([{ qpos, qvel: Array(9).fill(0) }]);
      const scene = env.scene!(0);
      expect(scene.camera).toEqual({ mode: 'follow', floor: 0 });
      expect(scene.stepSeconds).toBeCloseTo(0.05, 12);
      expect(scene.shapes.map((s) => s.kind)).toEqual(['torso', 'torso', 'back-leg', 'back-leg', 'back-leg', 'front-leg', 'front-leg', 'front-leg']);
      const root = [qpos[0], 0.7 + qpos[1]];
      const at = (local: number[]) => pitch(local, theta).map((v, k) => v + root[k]);
      const expectedTorso = [at([-0.5, 0]), at([0.5, 0])].sort((a, b) => a[0] - b[0]);
      const headAxis = [0.15 * Math.sin(0.87), 0.15 * Math.cos(0.87)];
      const expectedHead = [at([0.6 - headAxis[0], 0.1 - headAxis[1]]), at([0.6 + headAxis[0], 0.1 + headAxis[1]])].sort((a, b) => a[0] - b[0]);
      [ends(scene.shapes[0]), ends(scene.shapes[1])].forEach((drawn, k) =>
        drawn.flat().forEach((v, j) => expect(v).toBeCloseTo([expectedTorso, expectedHead][k].flat()[j], 6)),
      );
      // every capsule of the model is 0.046 thick
      for (const shape of scene.shapes) expect(shape.type === 'segment' && shape.width).toBeCloseTo(0.092, 12);
    } finally {
      env.dispose();
    }
  });
});
