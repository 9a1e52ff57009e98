/**
 * The Gym HalfCheetah model (spec §2) as MJCF, written from the published parameters of Gym's `half_cheetah.xml`:
 * a planar cheetah (torso + head, two 3-link legs) on a plane, 9 DoF (rootx slide, rootz slide, rooty hinge, then
 * bthigh, bshin, bfoot, fthigh, fshin, ffoot hinges), 6 torque motors, timestep 0.01 s, total mass 14 kg.
 *
 * Departures from the Gym file, none of which changes the dynamics:
 * - `coordinate="local"` is gone (MuJoCo 3 rejects it; local frames are its only mode) and `nstack="300000"`
 *   (2.4 MB of stack) becomes `memory="1M"`: MuJoCo 3's automatic size is 13.6 MB per MjData, which exhausts the
 *   2 GB WASM heap at ~150 copies; a 1000-step random episode uses ~20 kB (checked in the tests).
 * - Rendering-only elements (textures, materials, light, `nuser_geom`) are left out.
 * - `limited`/`ctrllimited` are written explicitly on every element that has a range, so that MuJoCo 3's
 *   `autolimits` default gives the same limits as MuJoCo 2.0's `limited="true"` default did.
 */

/** Actuator gears in actuator order bthigh, bshin, bfoot, fthigh, fshin, ffoot (spec §2). */
export const HALF_CHEETAH_GEARS = [120, 90, 60, 120, 60, 30] as const;

/** Physics timestep in seconds (spec §2); the control step is five of these. */
export const HALF_CHEETAH_TIMESTEP = 0.01;

export const HALF_CHEETAH_XML = `<mujoco model="cheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14"/>
  <size memory="1M"/>
  <option gravity="0 0 -9.81" timestep="${HALF_CHEETAH_TIMESTEP}"/>
  <default>
    <joint armature=".1" damping=".01" limited="true" solimplimit="0 .8 .03" solreflimit=".02 1" stiffness="8"/>
    <geom conaffinity="0" condim="3" contype="1" friction=".4 .1 .1" solimp="0.0 0.8 0.01" solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom conaffinity="1" condim="3" name="floor" pos="0 0 0" size="40 40 40" type="plane"/>
    <body name="torso" pos="0 0 .7">
      <joint armature="0" axis="1 0 0" damping="0" limited="false" name="rootx" pos="0 0 0" stiffness="0" type="slide"/>
      <joint armature="0" axis="0 0 1" damping="0" limited="false" name="rootz" pos="0 0 0" stiffness="0" type="slide"/>
      <joint armature="0" axis="0 1 0" damping="0" limited="false" name="rooty" pos="0 0 0" stiffness="0" type="hinge"/>
      <geom fromto="-.5 0 0 .5 0 0" name="torso" size="0.046" type="capsule"/>
      <geom axisangle="0 1 0 .87" name="head" pos=".6 0 .1" size="0.046 .15" type="capsule"/>
      <body name="bthigh" pos="-.5 0 0">
        <joint axis="0 1 0" damping="6" name="bthigh" pos="0 0 0" range="-.52 1.05" stiffness="240" type="hinge"/>
        <geom axisangle="0 1 0 -3.8" name="bthigh" pos=".1 0 -.13" size="0.046 .145" type="capsule"/>
        <body name="bshin" pos=".16 0 -.25">
          <joint axis="0 1 0" damping="4.5" name="bshin" pos="0 0 0" range="-.785 .785" stiffness="180" type="hinge"/>
          <geom axisangle="0 1 0 -2.03" name="bshin" pos="-.14 0 -.07" size="0.046 .15" type="capsule"/>
          <body name="bfoot" pos="-.28 0 -.14">
            <joint axis="0 1 0" damping="3" name="bfoot" pos="0 0 0" range="-.4 .785" stiffness="120" type="hinge"/>
            <geom axisangle="0 1 0 -.27" name="bfoot" pos=".03 0 -.097" size="0.046 .094" type="capsule"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos=".5 0 0">
        <joint axis="0 1 0" damping="4.5" name="fthigh" pos="0 0 0" range="-1 .7" stiffness="180" type="hinge"/>
        <geom axisangle="0 1 0 .52" name="fthigh" pos="-.07 0 -.12" size="0.046 .133" type="capsule"/>
        <body name="fshin" pos="-.14 0 -.24">
          <joint axis="0 1 0" damping="3" name="fshin" pos="0 0 0" range="-1.2 .87" stiffness="120" type="hinge"/>
          <geom axisangle="0 1 0 -.6" name="fshin" pos=".065 0 -.09" size="0.046 .106" type="capsule"/>
          <body name="ffoot" pos=".13 0 -.18">
            <joint axis="0 1 0" damping="1.5" name="ffoot" pos="0 0 0" range="-.5 .5" stiffness="60" type="hinge"/>
            <geom axisangle="0 1 0 -.6" name="ffoot" pos=".045 0 -.07" size="0.046 .07" type="capsule"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor gear="${HALF_CHEETAH_GEARS[0]}" joint="bthigh" name="bthigh"/>
    <motor gear="${HALF_CHEETAH_GEARS[1]}" joint="bshin" name="bshin"/>
    <motor gear="${HALF_CHEETAH_GEARS[2]}" joint="bfoot" name="bfoot"/>
    <motor gear="${HALF_CHEETAH_GEARS[3]}" joint="fthigh" name="fthigh"/>
    <motor gear="${HALF_CHEETAH_GEARS[4]}" joint="fshin" name="fshin"/>
    <motor gear="${HALF_CHEETAH_GEARS[5]}" joint="ffoot" name="ffoot"/>
  </actuator>
</mujoco>
`;
