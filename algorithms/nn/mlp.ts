/**
 * Multi-layer perceptron: Dense → activation [→ LayerNorm] per hidden layer, then a Dense output with an optional output
 * activation. `forward` is differentiable (explicit-transpose dense); `forwardWithTangent` propagates a tangent by hand
 * (forward-mode JVP), which tfjs lacks and which OM2P's exact mean-flow derivative needs (DESIGN "Compute backend").
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../harness/rng.ts';
import { activate, geluInner, SQRT_2_OVER_PI, tanh, type ActivationName } from './activations.ts';
import { dense } from './dense.ts';
import { constantVariable, glorotUniform, uniformVariable } from './init.ts';

export interface MlpOptions {
  inputDim: number;
  hidden: number[];
  outputDim: number;
  /** Hidden activation. @default 'relu' */
  activation?: ActivationName;
  /** LayerNorm (gain and bias) after each hidden activation, as the paper's critics. @default false */
  layerNorm?: boolean;
  /** @default 1e-6 */
  layerNormEps?: number;
  /** @default 'linear' */
  outputActivation?: ActivationName;
  /** When set, the output kernel and bias are U(±outputInitScale) instead of Glorot/zero (MATD3's actor: 3e-3). */
  outputInitScale?: number;
}

interface Layer {
  w: tf.Variable<tf.Rank.R2>;
  b: tf.Variable<tf.Rank.R1>;
  gain?: tf.Variable<tf.Rank.R1>;
  shift?: tf.Variable<tf.Rank.R1>;
}

export interface Mlp {
  readonly name: string;
  readonly variables: tf.Variable[];
  /** x: B × inputDim → B × outputDim. The caller owns the result. */
  forward(x: tf.Tensor2D): tf.Tensor2D;
  /** (x, ẋ): B × inputDim each → [y, ẏ] with ẏ = J_f(x)·ẋ. Not differentiable; the caller owns both results. */
  forwardWithTangent(x: tf.Tensor2D, xDot: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D];
}

export function createMlp(options: MlpOptions, rng: Rng, name: string): Mlp {
  const activation = options.activation ?? 'relu';
  const outputActivation = options.outputActivation ?? 'linear';
  const eps = options.layerNormEps ?? 1e-6;
  const sizes = [options.inputDim, ...options.hidden, options.outputDim];
  for (const size of sizes) {
    if (!Number.isInteger(size) || size <= 0) throw new Error(`${name}: layer sizes must be positive integers, got [${sizes}]`);
  }
  const layers: Layer[] = [];
  for (let k = 0; k < sizes.length - 1; k++) {
    const isOutput = k === sizes.length - 2;
    const scale = isOutput ? options.outputInitScale : undefined;
    const layer: Layer = {
      w: (scale === undefined
        ? glorotUniform(rng, sizes[k], sizes[k + 1], `${name}/l${k}/w`)
        : uniformVariable(rng, [sizes[k], sizes[k + 1]], scale, `${name}/l${k}/w`)) as tf.Variable<tf.Rank.R2>,
      b: (scale === undefined
        ? constantVariable([sizes[k + 1]], 0, `${name}/l${k}/b`)
        : uniformVariable(rng, [sizes[k + 1]], scale, `${name}/l${k}/b`)) as tf.Variable<tf.Rank.R1>,
    };
    if (!isOutput && options.layerNorm) {
      layer.gain = constantVariable([sizes[k + 1]], 1, `${name}/l${k}/ln_gain`) as tf.Variable<tf.Rank.R1>;
      layer.shift = constantVariable([sizes[k + 1]], 0, `${name}/l${k}/ln_bias`) as tf.Variable<tf.Rank.R1>;
    }
    layers.push(layer);
  }
  const variables = layers.flatMap((l) => [l.w, l.b, ...(l.gain ? [l.gain, l.shift!] : [])]);

  const layerNorm = (h: tf.Tensor2D, layer: Layer): tf.Tensor2D => {
    const { mean, variance } = tf.moments(h, -1, true);
    const normed = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, layer.gain!), layer.shift!) as tf.Tensor2D;
  };

  const forward = (x: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      let h = x;
      layers.forEach((layer, k) => {
        const isOutput = k === layers.length - 1;
        h = activate(isOutput ? outputActivation : activation, dense(h, layer.w, layer.b)) as tf.Tensor2D;
        if (layer.gain) h = layerNorm(h, layer);
      });
      return h;
    });

  const forwardWithTangent = (x: tf.Tensor2D, xDot: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] =>
    tf.tidy(() => {
      let h = x;
      let hDot = xDot;
      layers.forEach((layer, k) => {
        const isOutput = k === layers.length - 1;
        const pre = tf.add(tf.matMul(h, layer.w), layer.b) as tf.Tensor2D;
        const preDot = tf.matMul(hDot, layer.w) as tf.Tensor2D;
        [h, hDot] = activateWithTangent(isOutput ? outputActivation : activation, pre, preDot);
        if (layer.gain) [h, hDot] = layerNormWithTangent(h, hDot, layer.gain, layer.shift!, eps);
      });
      return [h, hDot];
    });

  return { name, variables, forward, forwardWithTangent };
}

/** Activation value and its tangent `f'(x)·ẋ`. */
function activateWithTangent(name: ActivationName, x: tf.Tensor2D, xDot: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const y = activate(name, x) as tf.Tensor2D;
  let slope: tf.Tensor;
  switch (name) {
    case 'linear':
      return [y, xDot];
    case 'relu':
      slope = tf.cast(tf.greater(x, 0), 'float32');
      break;
    case 'tanh':
      slope = tf.sub(1, tf.square(y));
      break;
    case 'gelu': {
      // d/dx x·σ(2z(x)) = σ + x·σ(1 − σ)·2z'(x), z' = k(1 + 3cx²)
      const sig = tf.sigmoid(geluInner(x, 2 * SQRT_2_OVER_PI));
      const dInner = tf.mul(2 * SQRT_2_OVER_PI, tf.add(1, tf.mul(3 * 0.044715, tf.square(x))));
      slope = tf.add(sig, tf.mul(tf.mul(x, tf.mul(sig, tf.sub(1, sig))), dInner));
      break;
    }
    case 'mish': {
      // d/dx x·tanh(sp(x)) = tanh(sp) + x(1 − tanh²(sp))·σ(x)
      const t = tanh(tf.softplus(x));
      slope = tf.add(t, tf.mul(x, tf.mul(tf.sub(1, tf.square(t)), tf.sigmoid(x))));
      break;
    }
  }
  return [y, tf.mul(slope, xDot) as tf.Tensor2D];
}

/** LayerNorm and its tangent: ẋ̂ = (ẋ − mean ẋ − x̂·mean(x̂ ẋ)) / σ, ẏ = g·ẋ̂. */
function layerNormWithTangent(
  x: tf.Tensor2D,
  xDot: tf.Tensor2D,
  gain: tf.Tensor1D,
  shift: tf.Tensor1D,
  eps: number,
): [tf.Tensor2D, tf.Tensor2D] {
  const { mean, variance } = tf.moments(x, -1, true);
  const sigma = tf.sqrt(tf.add(variance, eps));
  const xHat = tf.div(tf.sub(x, mean), sigma);
  const centredDot = tf.sub(xDot, tf.mean(xDot, -1, true));
  const xHatDot = tf.div(tf.sub(centredDot, tf.mul(xHat, tf.mean(tf.mul(xHat, xDot), -1, true))), sigma);
  return [tf.add(tf.mul(xHat, gain), shift) as tf.Tensor2D, tf.mul(xHatDot, gain) as tf.Tensor2D];
}
