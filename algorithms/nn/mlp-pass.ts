/**
 * The passes of E same-shaped MLPs (members) over row-stacked input [E·B, in], member k on rows [kB, (k+1)B); E = 1 is a
 * single network. Each member's products run on its own row block; the activations and LayerNorm run once over all rows,
 * each member's gains and biases on its own block (nn/row-blocks.ts). So stacking E networks adds no element-wise kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { activateWithAux, activationSlope, type ActivationName } from './activations.ts';
import { saveForBackward } from './gradient-path.ts';
import { layerNormJacobianProduct, layerNormStandardise } from './layer-norm.ts';
import { sumRows } from './constants.ts';
import { addPerBlock, joinBlocks, mulPerBlock, rowBlocks } from './row-blocks.ts';

export interface Layer {
  w: tf.Variable<tf.Rank.R2>;
  b: tf.Variable<tf.Rank.R1>;
  activation: ActivationName;
  gain?: tf.Variable<tf.Rank.R1>;
  shift?: tf.Variable<tf.Rank.R1>;
}

/** Layer l of every member, in row-block order: one shape and one activation. */
export type LayerStack = readonly Layer[];

export function layerVariables(layer: Layer): tf.Variable[] {
  return layer.gain ? [layer.w, layer.b, layer.gain, layer.shift!] : [layer.w, layer.b];
}

/** Every member's variables, member by member (each in its own network's order). */
export function memberVariables(stacks: readonly LayerStack[]): tf.Variable[] {
  return stacks[0].flatMap((_, k) => stacks.flatMap((stack) => layerVariables(stack[k])));
}

/** One layer's forward with what its derivative needs: its input's row blocks, pre-activation, activation (and its aux), LayerNorm's x̂ and 1/σ. */
interface LayerStep {
  inputs: tf.Tensor2D[];
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
export function layerForward(stack: LayerStack, eps: number, h: tf.Tensor2D, fused: boolean): LayerStep {
  const inputs = rowBlocks(h, stack.length);
  const { activation, gain } = stack[0];
  const product = (relu: boolean) =>
    joinBlocks(
      stack.map(({ w, b }, k) =>
        fused
          ? (tf.fused.matMul({ a: inputs[k], b: w, bias: b, activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D)
          : (tf.add(tf.matMul(inputs[k], w), b) as tf.Tensor2D),
      ),
    );
  let pre: tf.Tensor2D;
  let activated: tf.Tensor2D;
  let aux: tf.Tensor | undefined;
  // tfjs fuses an activation into the product only outside gradient recording (it would otherwise need the unfused
  // pre-activation); inside a step the ReLU is a kernel of its own either way.
  if (fused && activation === 'relu' && tf.engine().state.gradientDepth === 0) {
    pre = activated = product(true);
  } else {
    pre = product(false);
    const result = activateWithAux(activation, pre);
    activated = result.y as tf.Tensor2D;
    aux = result.aux;
  }
  if (!gain) return { inputs, pre, activated, aux, out: activated };
  const { xHat, invSigma } = layerNormStandardise(activated, eps);
  const out = addPerBlock(mulPerBlock(xHat, stack.map((l) => l.gain!)), stack.map((l) => l.shift!));
  return { inputs, pre, activated, aux, norm: { xHat, invSigma }, out };
}

/** What a layer's backward pass reads besides its input: the tensors its activation's slope and its LayerNorm need. */
function savedForBackward(activation: ActivationName, step: LayerStep): tf.Tensor[] {
  const slopeInputs = SLOPE_INPUTS[activation].map((name) => step[name]!);
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
 * The whole network (all members) as one tape node (tf.customGrad): the forward keeps each layer's input blocks and
 * derivative intermediates, the backward walks the layers in reverse with explicit transposes (plain products are fast on
 * wasm, transposed ones are not) and batch sums as products with ones. Gradients: LayerNorm ∂g = Σ ȳ∘x̂, ∂b = Σ ȳ,
 * x̄ = J·(ȳ∘g); activation p̄ = x̄∘f'(p); dense ∂W = hᵀp̄, ∂b = Σ p̄, h̄ = p̄Wᵀ — sums and products per member over its own
 * rows, each the very product a lone network computes, so a member's gradient is its own bit for bit (one product with a
 * block-indicator matrix would save E − 1 products per sum but adds in another order, which om2p's finite difference
 * amplifies). Only the gradients the step can use are computed (nn/gradient-path.ts): the input's when it is on the tape,
 * the parameters' (in `memberVariables` order) when the step trains them; what is not differentiated enters as a constant.
 */
export function handDifferentiated(
  stacks: readonly LayerStack[],
  eps: number,
  x: tf.Tensor2D,
  inputGradient: boolean,
  paramGradients: boolean,
): tf.Tensor2D {
  const members = stacks[0].length;
  const params = paramGradients ? memberVariables(stacks) : [];
  const run = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const input = inputGradient ? (args[0] as tf.Tensor2D) : x;
    // Per layer, in order: the layer input's row blocks, then savedForBackward's tensors.
    const saved: tf.Tensor[] = [];
    let h = input;
    for (const stack of stacks) {
      const step = layerForward(stack, eps, h, true);
      saved.push(...step.inputs, ...savedForBackward(stack[0].activation, step));
      h = step.out;
    }
    // One member's first block is the input itself, which only tfjs' `save` may keep; all else is this forward's own.
    const fromInput = members === 1 ? 1 : 0;
    const read = saveForBackward(save, saved.slice(0, fromInput), saved.slice(fromInput));
    return {
      value: h,
      gradFunc: (dy: tf.Tensor, tfjsSaved: tf.Tensor[]) => {
        if (!paramGradients && !inputGradient) return [];
        const kept = read(tfjsSaved);
        const grads = new Map<tf.Variable, tf.Tensor>();
        const perMember = (variables: tf.Variable[], values: tf.Tensor[]) => variables.forEach((v, k) => grads.set(v, values[k]));
        let g = dy as tf.Tensor2D;
        let offset = kept.length;
        for (let l = stacks.length - 1; l >= 0; l--) {
          const stack = stacks[l];
          const { activation, gain } = stack[0];
          const needs = SLOPE_INPUTS[activation];
          const count = members + needs.length + (gain ? 2 : 0);
          offset -= count;
          const layerSaved = kept.slice(offset, offset + count) as tf.Tensor2D[];
          const [inputs, rest] = [layerSaved.slice(0, members), layerSaved.slice(members)];
          const slopeInput = Object.fromEntries(needs.map((name, j) => [name, rest[j]])) as Partial<Record<'pre' | 'activated' | 'aux', tf.Tensor2D>>;
          if (gain) {
            const [xHat, invSigma] = rest.slice(needs.length);
            const gains = stack.map((layer) => layer.gain!);
            if (paramGradients) {
              perMember(gains, rowBlocks(tf.mul(g, xHat) as tf.Tensor2D, members).map(sumRows));
              perMember(stack.map((layer) => layer.shift!), rowBlocks(g, members).map(sumRows));
            }
            g = layerNormJacobianProduct(mulPerBlock(g, gains), xHat, invSigma);
          }
          const slope = activationSlope(activation, slopeInput.pre!, slopeInput.activated!, slopeInput.aux);
          if (slope) g = tf.mul(g, slope) as tf.Tensor2D;
          const blocks = rowBlocks(g, members);
          if (paramGradients) {
            stack.forEach((layer, k) => grads.set(layer.w, weightGradient(inputs[k], blocks[k])));
            perMember(stack.map((layer) => layer.b), blocks.map(sumRows));
          }
          if (l > 0 || inputGradient) g = joinBlocks(stack.map((layer, k) => tf.matMul(blocks[k], tf.transpose(layer.w)) as tf.Tensor2D));
        }
        const paramGrads = params.map((v) => grads.get(v)!);
        return inputGradient ? [g, ...paramGrads] : paramGrads;
      },
    };
  }) as any) as (...inputs: tf.Tensor[]) => tf.Tensor2D;
  return inputGradient ? run(x, ...params) : run(...params);
}

/** (x, ẋ) → [y, ẏ] with ẏ = J_f(x)·ẋ, propagated layer by layer (forward-mode JVP). Not differentiable; caller owns both. */
export function tangentPass(stacks: readonly LayerStack[], eps: number, x: tf.Tensor2D, xDot: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    let [h, hDot] = [x, xDot];
    for (const stack of stacks) {
      const step = layerForward(stack, eps, h, true);
      const slope = activationSlope(stack[0].activation, step.pre, step.activated, step.aux);
      const dotBlocks = rowBlocks(hDot, stack.length);
      const preDot = joinBlocks(stack.map((layer, k) => tf.matMul(dotBlocks[k], layer.w) as tf.Tensor2D));
      hDot = (slope ? tf.mul(slope, preDot) : preDot) as tf.Tensor2D;
      if (step.norm) {
        hDot = mulPerBlock(layerNormJacobianProduct(hDot, step.norm.xHat, step.norm.invSigma), stack.map((layer) => layer.gain!));
      }
      h = step.out;
    }
    return [h, hDot];
  });
}

/**
 * ∂W = hᵀ·ḡ (in × out). A transpose costs in proportion to its operand, so when the layer narrows (out < in, e.g. an output
 * layer) ∂W = (ḡᵀ·h)ᵀ transposes the narrow ḡ and the small product instead of h. Caller owns the result.
 */
function weightGradient(h: tf.Tensor2D, g: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() =>
    g.shape[1] < h.shape[1] ? (tf.transpose(tf.matMul(tf.transpose(g), h)) as tf.Tensor2D) : tf.matMul(tf.transpose(h), g),
  );
}
