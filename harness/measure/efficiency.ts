/**
 * Efficiency of one algorithm (spec §5): peak tensor bytes of one update (`tf.profile`), what an update leaves behind,
 * and action-sampling latency at batch 1 and at the evaluation batch (tinybench).
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, AgentBatch } from '../../contracts/types.ts';
import { measureLatencies, type Latency } from './latency.ts';
import { cachedConstants } from '../registry.ts';
import { gpuBytesHighWater } from '../webgpu.ts';

export interface UpdateProfile {
  /** The update's own losses. */
  losses: Record<string, number>;
  /** Tensor bytes alive just before the update (weights, optimiser slots, the batch): the part of `peakBytes` it did not allocate. */
  residentBytes: number;
  peakBytes: number;
  /** On webgpu: the most GPU buffer bytes in use during the update(s), resident weights included (`gpuBytesHighWater`). */
  peakGpuBytes?: number;
  leakTensors: number;
  leakBytes: number;
  /** Kernels per update (tf.profile's record: one per backend op, autograd's included), averaged over the updates profiled. */
  kernelCount: number;
  /** Per kernel name: how many ran and their summed backend time per update, most expensive first. */
  kernels: KernelStat[];
}

/** One kernel name's share of an update. */
export interface KernelStat {
  name: string;
  count: number;
  ms: number;
}

/**
 * Profiles `updates` consecutive `agent.update(batch)` calls (one, or a whole cycle of an algorithm whose updates alternate
 * in kind): the peak bytes over them, kernels per update, and tensors/bytes still alive after them that were not before.
 * The nn blocks' cached constants (created once per process) count neither as resident nor as leaked. `losses` are the
 * last update's.
 */
export async function profileUpdate(agent: Agent, batch: AgentBatch[], updates = 1): Promise<UpdateProfile> {
  const constantsBefore = cachedConstants();
  const before = tf.memory();
  let losses: Record<string, number> = {};
  const { value: info, peakBytes: peakGpuBytes } = await gpuBytesHighWater(() =>
    tf.profile(async () => {
      for (let k = 0; k < updates; k++) losses = await agent.update(batch);
    }),
  );
  const after = tf.memory();
  const constantsAfter = cachedConstants();
  const kernels = backendKernels(info.kernels);
  return {
    losses,
    residentBytes: before.numBytes - constantsBefore.bytes,
    peakBytes: info.peakBytes,
    ...(peakGpuBytes === undefined ? {} : { peakGpuBytes }),
    leakTensors: after.numTensors - before.numTensors - (constantsAfter.tensors - constantsBefore.tensors),
    leakBytes: after.numBytes - before.numBytes - (constantsAfter.bytes - constantsBefore.bytes),
    kernelCount: kernels.length / updates,
    kernels: (await kernelStats(kernels)).map((k) => ({ ...k, count: k.count / updates, ms: k.ms / updates })),
  };
}

/**
 * tf.profile also records each custom-gradient call as a scope ("unnamed scope") whose time includes the kernels it ran,
 * which are recorded too: only registered backend kernels are counted.
 */
function backendKernels(kernels: ProfiledKernel[]): ProfiledKernel[] {
  const backend = tf.getBackend();
  return kernels.filter((k) => tf.getKernel(k.name, backend) !== undefined);
}

type ProfiledKernel = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

/** Groups tf.profile's kernel records by name; a kernel's time may be a promise (backends that time asynchronously). */
async function kernelStats(kernels: ProfiledKernel[]): Promise<KernelStat[]> {
  const byName = new Map<string, KernelStat>();
  for (const kernel of kernels) {
    const stat = byName.get(kernel.name) ?? { name: kernel.name, count: 0, ms: 0 };
    const time = await kernel.kernelTimeMs;
    stat.count++;
    stat.ms += typeof time === 'number' ? time : 0;
    byName.set(kernel.name, stat);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms || b.count - a.count);
}

/** Latency of `agent.act` for random observations at each batch size (obs are built once, outside the timed call). */
export async function actLatency(agent: Agent, obsDims: number[], batches: number[], options = { iterations: 10, timeMs: 200 }): Promise<Latency[]> {
  const tasks: Record<string, () => unknown> = {};
  for (const batch of batches) {
    const obs = obsDims.map((d) => Float32Array.from({ length: batch * d }, (_, k) => Math.sin(k)));
    tasks[`b${batch}`] = () => agent.act(obs, { deterministic: false });
  }
  const results = await measureLatencies(tasks, { ...options, warmupIterations: 2, async: true });
  return batches.map((b) => results[`b${b}`]);
}
