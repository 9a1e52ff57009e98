/**
 * OMAR's pretrained prey (spec §1.5), loaded from its `pretrained_adv_model.pt` (legacy PyTorch format).
 *
 * The prey is `agent_params[-1]['policy']`, a MADDPG `MLPNetwork`:
 * `BatchNorm1d(obs)` in eval mode (`(x − running_mean) / √(running_var + 1e-5) · weight + bias`)
 * → `fc1` (64) → ReLU → `fc2` (64) → ReLU → `fc3` (2), then the head — `tanh` (OMAR; default) or `linear`
 * (OM2P's code) — then clamp to [-1, 1]. Evaluated in float64 on the float32 weights; it is tiny.
 *
 * Task id: `omar` when the file is one of OMAR's published checkpoints (by sha256), else `ckpt-<first 8 hex>`,
 * with `-linear` appended for the linear head, so results of different preys are never pooled (spec §1.5).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FixedPolicy } from './scenario.ts';
import { LegacyTensor, readLegacyTorch } from './torch-legacy.ts';

export type PreyHead = 'tanh' | 'linear';

/** BatchNorm1d's default epsilon, used by OMAR's network. */
const BATCHNORM_EPS = 1e-5;
const HIDDEN = 64;
const ACTION_DIM = 2;
/** sha256 of OMAR's published prey checkpoints (OG-MARL mirror of the OMAR data). */
const OMAR_CHECKPOINTS = new Set([
  'b22b95f3397f41a21aa247810e385a8ecf85294f2e2ed8e523a954c633daf7a2', // simple_tag
  'ed3170cfb9c3f6872305c9c795a7aed089fde7b5e5cc2bff5f7debfed37c2115', // simple_world
]);

interface Dense {
  weight: Float64Array; // out × in, row-major (PyTorch layout)
  bias: Float64Array;
  inDim: number;
  outDim: number;
}

/** The prey network's parameters. */
export interface PreyNetwork {
  obsDim: number;
  /** BatchNorm folded into a per-input scale and shift: `x · scale + shift`. */
  scale: Float64Array;
  shift: Float64Array;
  layers: [Dense, Dense, Dense];
}

/** Extracts the prey network from a parsed checkpoint object. */
export function preyNetworkFromCheckpoint(checkpoint: unknown, source: string): PreyNetwork {
  const agents = (checkpoint as { agent_params?: { policy?: Record<string, unknown> }[] }).agent_params;
  const policy = Array.isArray(agents) ? agents[agents.length - 1]?.policy : undefined;
  if (!policy) throw new Error(`${source}: no agent_params[-1].policy in the checkpoint`);
  const tensor = (name: string, shape: number[]): Float64Array => {
    const t = policy[name];
    if (!(t instanceof LegacyTensor)) throw new Error(`${source}: policy has no tensor '${name}'`);
    if (t.shape.join('×') !== shape.join('×')) throw new Error(`${source}: ${name} has shape [${t.shape}], expected [${shape}]`);
    return t.values();
  };
  const fc1Shape = (policy['fc1.weight'] as LegacyTensor | undefined)?.shape;
  if (!fc1Shape || fc1Shape.length !== 2 || fc1Shape[0] !== HIDDEN) throw new Error(`${source}: fc1.weight must be 64 × obs`);
  const obsDim = fc1Shape[1];
  const dense = (name: string, inDim: number, outDim: number): Dense => ({
    weight: tensor(`${name}.weight`, [outDim, inDim]),
    bias: tensor(`${name}.bias`, [outDim]),
    inDim,
    outDim,
  });
  const gamma = tensor('in_fn.weight', [obsDim]);
  const beta = tensor('in_fn.bias', [obsDim]);
  const mean = tensor('in_fn.running_mean', [obsDim]);
  const variance = tensor('in_fn.running_var', [obsDim]);
  const scale = gamma.map((g, k) => g / Math.sqrt(variance[k] + BATCHNORM_EPS));
  const shift = beta.map((b, k) => b - mean[k] * scale[k]);
  return { obsDim, scale, shift, layers: [dense('fc1', obsDim, HIDDEN), dense('fc2', HIDDEN, HIDDEN), dense('fc3', HIDDEN, ACTION_DIM)] };
}

/** The network as a fixed policy. */
export class OmarPrey implements FixedPolicy {
  readonly id: string;
  readonly obsDim: number;
  readonly #net: PreyNetwork;
  readonly #head: PreyHead;
  readonly #buffers: Float64Array[];

  constructor(net: PreyNetwork, head: PreyHead, id: string) {
    this.#net = net;
    this.#head = head;
    this.id = id;
    this.obsDim = net.obsDim;
    this.#buffers = [new Float64Array(net.obsDim), new Float64Array(HIDDEN), new Float64Array(HIDDEN)];
  }

  /** The network output before the head, `B × 2`. */
  raw(obs: ArrayLike<number>, batch: number): Float64Array {
    const out = new Float64Array(batch * ACTION_DIM);
    for (let b = 0; b < batch; b++) this.#forward(obs, b, out);
    return out;
  }

  act(obs: Float32Array, batch: number, out: Float32Array): void {
    const raw = this.raw(obs, batch);
    for (let k = 0; k < raw.length; k++) {
      const y = this.#head === 'tanh' ? Math.tanh(raw[k]) : raw[k];
      out[k] = Math.min(1, Math.max(-1, y));
    }
  }

  #forward(obs: ArrayLike<number>, row: number, out: Float64Array): void {
    const { scale, shift, layers } = this.#net;
    const [x, h1, h2] = this.#buffers;
    for (let k = 0; k < this.obsDim; k++) x[k] = obs[row * this.obsDim + k] * scale[k] + shift[k];
    affine(layers[0], x, h1, true);
    affine(layers[1], h1, h2, true);
    affine(layers[2], h2, out.subarray(row * ACTION_DIM, row * ACTION_DIM + ACTION_DIM), false);
  }
}

/** `out = W·x + b`, optionally followed by ReLU. */
function affine(layer: Dense, x: Float64Array, out: Float64Array, relu: boolean): void {
  for (let o = 0; o < layer.outDim; o++) {
    let sum = layer.bias[o];
    const base = o * layer.inDim;
    for (let i = 0; i < layer.inDim; i++) sum += layer.weight[base + i] * x[i];
    out[o] = relu && sum < 0 ? 0 : sum;
  }
}

/** Loads the prey of an OMAR checkpoint file; `obsDim` is the task's prey observation length (checked). */
export async function loadOmarPrey(path: string, head: PreyHead, obsDim: number): Promise<OmarPrey> {
  const bytes = new Uint8Array(await readFile(path));
  const net = preyNetworkFromCheckpoint(readLegacyTorch(bytes, path), path);
  if (net.obsDim !== obsDim) throw new Error(`${path}: the prey network takes ${net.obsDim} inputs, this task's prey observes ${obsDim}`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const id = `${OMAR_CHECKPOINTS.has(sha) ? 'omar' : `ckpt-${sha.slice(0, 8)}`}${head === 'linear' ? '-linear' : ''}`;
  return new OmarPrey(net, head, id);
}
