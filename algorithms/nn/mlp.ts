/**
 * Multi-layer perceptron: Dense → activation [→ LayerNorm] per hidden layer, then a Dense output with an optional output
 * activation. `forward` is differentiable through one hand-written gradient for the whole network (DESIGN "Compute
 * backend": autograd records ~4× the kernels, and its dense gradient uses transposed products, 10× slower on wasm);
 * `forwardWithTangent` propagates a tangent by hand (forward-mode JVP), which tfjs lacks and which OM2P's exact mean-flow
 * derivative needs. `setGradientMode('autograd')` runs the same maths as plain tfjs ops (the reference for tests and
 * `bench nn`). `stackMlps` evaluates the same-shaped networks of several agents in one pass over their stacked rows.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../harness/rng.ts';
import type { ActivationName } from './activations.ts';
import { constantVariable, glorotUniform, uniformVariable } from './init.ts';
import { isRecording, isTrained, onGradientPath } from './gradient-path.ts';
import { handDifferentiated, layerForward, memberVariables, tangentPass, type Layer, type LayerStack } from './mlp-pass.ts';
import { forwardRegrouped, joinBlocks, rowBlocks } from './row-blocks.ts';

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
  const stacks = layers.map((layer) => [layer]);
  return mlpOver(name, stacks, eps, (x) => tf.tidy(() => stacks.reduce((h, stack) => layerForward(stack, eps, h, false).out, x)));
}

/**
 * E networks of one shape (one per agent) as one: `forward` takes their inputs row-stacked, [E·B, in] → [E·B, out], network
 * k on rows [kB, (k+1)B), each row's output what its own network gives it (bit for bit), in one pass whose element-wise
 * kernels run once for all E (nn/mlp-pass.ts). Its variables are the members' own, member by member; autograd mode runs
 * the members' own forwards on their blocks (the reference). A single member is returned as it is.
 */
export function stackMlps(members: Mlp[]): Mlp {
  if (members.length === 1) return members[0];
  const parts = members.map((net) => {
    const part = structure.get(net);
    if (!part || part.members !== 1) throw new Error(`stackMlps: ${net.name} is not a single network made by createMlp`);
    return part;
  });
  const shape = (k: number) => parts[k].stacks.map(([l]) => `${l.w.shape}:${l.activation}:${!!l.gain}`).join('|') + `:${parts[k].eps}`;
  for (let k = 1; k < members.length; k++) {
    if (shape(k) !== shape(0)) throw new Error(`stackMlps: ${members[k].name} differs in shape from ${members[0].name}`);
  }
  const stacks = parts[0].stacks.map((_, l) => parts.map((part) => part.stacks[l][0]));
  const name = members.map((net) => net.name).join('+');
  return mlpOver(name, stacks, parts[0].eps, (x) =>
    tf.tidy(() => joinBlocks(rowBlocks(x, members.length).map((block, k) => members[k].forward(block)))),
  );
}

/** How an Mlp is made, for stacking and for `forwardRows`. */
const structure = new WeakMap<Mlp, { stacks: LayerStack[]; eps: number; members: number }>();

function mlpOver(name: string, stacks: LayerStack[], eps: number, reference: (x: tf.Tensor2D) => tf.Tensor2D): Mlp {
  const variables = memberVariables(stacks);
  const net: Mlp = {
    name,
    variables,
    forward: (x) =>
      gradientMode === 'hand'
        ? handDifferentiated(stacks, eps, x, onGradientPath(x), isRecording() && variables.some(isTrained))
        : reference(x),
    forwardWithTangent: (x, xDot) => tangentPass(stacks, eps, x, xDot),
  };
  structure.set(net, { stacks, eps, members: stacks[0].length });
  return net;
}

/**
 * `net.forward` of several batches in one pass: their rows stacked, one set of kernels instead of one per batch. Every row's
 * output is what it would be alone; the weight gradient sums over all rows in one product. For stacked networks every
 * batch is row-stacked over the members, and the rows are regrouped member by member. The caller owns the results.
 */
export function forwardRows(net: Mlp, inputs: tf.Tensor2D[]): tf.Tensor2D[] {
  if (inputs.length === 1) return [net.forward(inputs[0])];
  const members = structure.get(net)?.members ?? 1;
  if (members > 1) return forwardRegrouped(net.forward, inputs, members);
  return tf.tidy(() => tf.split(net.forward(tf.concat(inputs, 0) as tf.Tensor2D), inputs.map((x) => x.shape[0]), 0) as tf.Tensor2D[]);
}
