/**
 * The HalfCheetah MJCF compiles to Gym's model (spec §2): sizes, gears, control range, timestep and joint ranges
 * checked against the published values, and the memory it reserves covers a real episode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HALF_CHEETAH_XML } from '../../envs/mamujoco/half-cheetah-model.ts';
import { mujocoModule, type MainModule, type MjData, type MjModel } from '../../envs/mamujoco/mujoco-module.ts';

let mj: MainModule;
let model: MjModel;

beforeAll(async () => {
  mj = await mujocoModule();
  model = mj.MjModel.from_xml_string(HALF_CHEETAH_XML);
});

afterAll(() => model.delete());

describe('half_cheetah MJCF', () => {
  it('has 9 position and 9 velocity coordinates and 6 actuators', () => {
    expect([model.nq, model.nv, model.nu]).toEqual([9, 9, 6]);
  });

  it('uses gears 120/90/60 on the back leg and 120/60/30 on the front leg, acting on the first gear axis only', () => {
    const gear = Array.from(model.actuator_gear as Float64Array);
    const expected = [120, 90, 60, 120, 60, 30].flatMap((g) => [g, 0, 0, 0, 0, 0]);
    expect(gear).toEqual(expected);
  });

  it('limits every control to [-1, 1]', () => {
    expect(Array.from(model.actuator_ctrlrange as Float64Array)).toEqual(Array(6).fill([-1, 1]).flat());
  });

  it('steps with timestep 0.01', () => {
    expect(model.opt.timestep).toBe(0.01);
  });

  it('keeps the published joint ranges (root free, six limited hinges)', () => {
    const range = Array.from(model.jnt_range as Float64Array);
    // rootx, rootz, rooty unlimited; bthigh, bshin, bfoot, fthigh, fshin, ffoot as in Gym's half_cheetah.xml.
    expect(range).toEqual([0, 0, 0, 0, 0, 0, -0.52, 1.05, -0.785, 0.785, -0.4, 0.785, -1, 0.7, -1.2, 0.87, -0.5, 0.5]);
  });

  it('weighs 14 kg in total (settotalmass)', () => {
    const mass = Array.from(model.body_mass as Float64Array).reduce((a, b) => a + b, 0);
    expect(mass).toBeCloseTo(14, 10);
  });

  it('uses a small fraction of its reserved arena over a 1000-step flailing episode', () => {
    const data: MjData = new mj.MjData(model);
    try {
      const ctrl = data.ctrl as Float64Array;
      for (let t = 0; t < 5000; t++) {
        for (let k = 0; k < 6; k++) ctrl[k] = Math.sin(0.3 * t + k);
        mj.mj_step(model, data);
      }
      expect(data.maxuse_arena).toBeGreaterThan(0);
      expect(data.maxuse_arena).toBeLessThan(model.narena / 10);
    } finally {
      data.delete();
    }
  });
});
