/**
 * Multi-layer perceptron: Dense → activation [→ LayerNorm] per hidden layer, then a Dense output with an optional output
 * activation. `forward` is differentiable through one hand-written gradient for the whole network (docs/design.md
 * "Compute backend": autograd records ~4× the kernels, and its dense gradient uses transposed products, 10× slower on wasm);
 * `forwardWithTangent` propagates a tangent by hand (forward-mode JVP), which tfjs lacks and which OM2P's exact mean-flow
 * derivative needs. `setGradientMode('autograd')` runs the same maths as plain tfjs ops (the reference for tests and
 * `bench nn`).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../contracts/rng.ts';
import { activateWithAux, activationSlope, type ActivationName } from './activations.ts';
import { sumRows } from './constants.ts';
import { constantVariable, glorotUniform, uniformVariable } from './init.ts';
import { isRecording, isTrained, onGradientPath, saveForBackward } from './gradient-path.ts';
import { layerNormForward, layerNormJacobianProduct } from './layer-norm.ts';
import { transpose2d } from './transpose.ts';

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
  activation: ActivationName;
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

/** How `forward` is differentiated: `hand` (default) or `autograd` (tfjs' own, the reference). */
export type GradientMode = 'hand' | 'autograd';

let gradientMode: GradientMode = 'hand';

/** Switches the process-wide MLP gradient (used by `bench nn` and the gradient tests only). */
export function setGradientMode(next: GradientMode): void {
  gradientMode = next;
}

export function createMlp(options: MlpOptions, rng: Rng, name: string): Mlp {
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
      activation: isOutput ? (options.outputActivation ?? 'linear') : (options.activation ?? 'relu'),
    };
    if (!isOutput && options.layerNorm) {
      layer.gain = constantVariable([sizes[k + 1]], 1, `${name}/l${k}/ln_gain`) as tf.Variable<tf.Rank.R1>;
      layer.shift = constantVariable([sizes[k + 1]], 0, `${name}/l${k}/ln_bias`) as tf.Variable<tf.Rank.R1>;
    }
    layers.push(layer);
  }
  const variables = layers.flatMap(layerVariables);

  const forward = (x: tf.Tensor2D): tf.Tensor2D =>
    gradientMode === 'hand'
      ? handDifferentiated(layers, eps, x, onGradientPath(x), isRecording() && variables.some(isTrained))
      : tf.tidy(() => layers.reduce((h, layer) => layerForward(layer, eps, h, false).out, x));

  const forwardWithTangent = (x: tf.Tensor2D, xDot: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] =>
    tf.tidy(() => {
      let [h, hDot] = [x, xDot];
      for (const layer of layers) {
        const step = layerForward(layer, eps, h, true);
        const slope = activationSlope(layer.activation, step.pre, step.activated, step.aux);
        const preDot = tf.matMul(hDot, layer.w);
        hDot = (slope ? tf.mul(slope, preDot) : preDot) as tf.Tensor2D;
        if (step.norm) hDot = tf.mul(layerNormJacobianProduct(hDot, step.norm.xHat, step.norm.invSigma), layer.gain!) as tf.Tensor2D;
        h = step.out;
      }
      return [h, hDot];
    });

  return { name, variables, forward, forwardWithTangent };
}

/**
 * `net.forward` of several batches in one pass: their rows stacked, one set of kernels instead of one per batch. Every row's
 * output is what it would be alone; the weight gradient sums over all rows in one product. The caller owns the results.
 */
export function forwardRows(net: Mlp, inputs: tf.Tensor2D[]): tf.Tensor2D[] {
  if (inputs.length === 1) return [net.forward(inputs[0])];
  return tf.tidy(() => tf.split(net.forward(tf.concat(inputs, 0) as tf.Tensor2D), inputs.map((x) => x.shape[0]), 0) as tf.Tensor2D[]);
}

function layerVariables(layer: Layer): tf.Variable[] {
  return layer.gain ? [layer.w, layer.b, layer.gain, layer.shift!] : [layer.w, layer.b];
}

/** One layer's forward with what its derivative needs: pre-activation, activation (and its aux), LayerNorm's x̂ and 1/σ. */
interface LayerStep {
  pre: tf.Tensor2D;
  activated: tf.Tensor2D;
  aux?: tf.Tensor;
  norm?: { xHat: tf.Tensor2D; invSigma: tf.Tensor2D };
  out: tf.Tensor2D;
}

/**
 * `fused` computes h·W + b (and, outside gradient recording, a ReLU) as one kernel, the same sums in the same order;
 * autograd mode keeps the plain ops it knows how to differentiate. With a fused ReLU, `pre` is the activated output (the
 * slope only needs the output).
 */
function layerForward(layer: Layer, eps: number, h: tf.Tensor2D, fused: boolean): LayerStep {
  let pre: tf.Tensor2D;
  let activated: tf.Tensor2D;
  let aux: tf.Tensor | undefined;
  // tfjs fuses an activation into the product only outside gradient recording (it would otherwise need the unfused
  // pre-activation); inside a step the ReLU is a kernel of its own either way.
  if (fused && layer.activation === 'relu' && tf.engine().state.gradientDepth === 0) {
    pre = activated = tf.fused.matMul({ a: h, b: layer.w, bias: layer.b, activation: 'relu' }) as tf.Tensor2D;
  } else {
    pre = (fused ? tf.fused.matMul({ a: h, b: layer.w, bias: layer.b }) : tf.add(tf.matMul(h, layer.w), layer.b)) as tf.Tensor2D;
    const result = activateWithAux(layer.activation, pre);
    activated = result.y as tf.Tensor2D;
    aux = result.aux;
  }
  if (!layer.gain) return { pre, activated, aux, out: activated };
  const { y: out, xHat, invSigma } = layerNormForward(activated, layer.gain, layer.shift!, eps);
  return { pre, activated, aux, norm: { xHat, invSigma }, out };
}

/** What a layer's backward pass reads besides its input: the tensors its activation's slope and its LayerNorm need. */
function savedForBackward(layer: Layer, step: LayerStep): tf.Tensor[] {
  const slopeInputs = SLOPE_INPUTS[layer.activation].map((name) => step[name]!);
  return step.norm ? [...slopeInputs, step.norm.xHat, step.norm.invSigma] : slopeInputs;
}

/** Which of pre-activation, output and aux each activation's slope reads (activationSlope). */
const SLOPE_INPUTS: Record<ActivationName, ('pre' | 'activated' | 'aux')[]> = {
  linear: [],
  relu: ['activated'],
  tanh: ['activated'],
  gelu: ['pre', 'aux'],
  mish: ['pre', 'aux'],
};

/**
 * The whole network as one tape node (tf.customGrad): the forward keeps each layer's input and derivative intermediates,
 * the backward walks the layers in reverse with explicit transposes (plain products are fast on wasm, transposed ones are
 * not) and batch sums as products with a row of ones. Gradients: LayerNorm ∂g = Σ ȳ∘x̂, ∂b = Σ ȳ, x̄ = J·(ȳ∘g);
 * activation p̄ = x̄∘f'(p); dense ∂W = hᵀp̄, ∂b = Σ p̄, h̄ = p̄Wᵀ. Only the gradients the step can use are computed
 * (nn/gradient-path.ts): the input's when it is on the tape, the parameters' when the step trains them; what is not
 * differentiated enters as a constant.
 */
function handDifferentiated(layers: Layer[], eps: number, x: tf.Tensor2D, inputGradient: boolean, paramGradients: boolean): tf.Tensor2D {
  const params = paramGradients ? layers.flatMap(layerVariables) : [];
  const run = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const input = inputGradient ? (args[0] as tf.Tensor2D) : x;
    // Per layer, in order: the layer's input, then savedForBackward's tensors (all but the first are this forward's own).
    const saved: tf.Tensor[] = [];
    let h = input;
    for (const layer of layers) {
      const step = layerForward(layer, eps, h, true);
      saved.push(h, ...savedForBackward(layer, step));
      h = step.out;
    }
    const read = saveForBackward(save, [input], saved.slice(1));
    return {
      value: h,
      gradFunc: (dy: tf.Tensor, tfjsSaved: tf.Tensor[]) => {
        if (!paramGradients && !inputGradient) return [];
        const kept = read(tfjsSaved);
        const grads: tf.Tensor[] = [];
        let g = dy as tf.Tensor2D;
        let offset = kept.length;
        for (let k = layers.length - 1; k >= 0; k--) {
          const layer = layers[k];
          const needs = SLOPE_INPUTS[layer.activation];
          offset -= 1 + needs.length + (layer.gain ? 2 : 0);
          const [hIn, ...rest] = kept.slice(offset, offset + 1 + needs.length + (layer.gain ? 2 : 0)) as tf.Tensor2D[];
          const slopeInput = Object.fromEntries(needs.map((name, j) => [name, rest[j]])) as Partial<Record<'pre' | 'activated' | 'aux', tf.Tensor2D>>;
          const layerGrads: tf.Tensor[] = [];
          if (layer.gain) {
            const [xHat, invSigma] = rest.slice(needs.length);
            if (paramGradients) layerGrads.unshift(sumRows(tf.mul(g, xHat) as tf.Tensor2D), sumRows(g));
            g = layerNormJacobianProduct(tf.mul(g, layer.gain) as tf.Tensor2D, xHat, invSigma);
          }
          const slope = activationSlope(layer.activation, slopeInput.pre!, slopeInput.activated!, slopeInput.aux);
          if (slope) g = tf.mul(g, slope) as tf.Tensor2D;
          if (paramGradients) layerGrads.unshift(weightGradient(hIn, g), sumRows(g));
          grads.unshift(...layerGrads);
          if (k > 0 || inputGradient) g = tf.matMul(g, transpose2d(layer.w));
        }
        return inputGradient ? [g, ...grads] : grads;
      },
    };
  }) as any) as (...inputs: tf.Tensor[]) => tf.Tensor2D;
  return inputGradient ? run(x, ...params) : run(...params);
}

/**
 * ∂W = hᵀ·ḡ (in × out). A transpose costs in proportion to its operand, so when the layer narrows (out < in, e.g. an output
 * layer) ∂W = (ḡᵀ·h)ᵀ transposes the narrow ḡ and the small product instead of h. Caller owns the result.
 */
function weightGradient(h: tf.Tensor2D, g: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() =>
    g.shape[1] < h.shape[1] ? transpose2d(tf.matMul(transpose2d(g), h)) : tf.matMul(transpose2d(h), g),
  );
}
