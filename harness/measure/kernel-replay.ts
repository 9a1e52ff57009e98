/**
 * What an update's kernels cost without the framework around them. `recordKernelCalls` notes every kernel the engine
 * dispatches while a function runs (name, inputs, attributes) and where each input came from: an earlier call's output,
 * or a tensor made outside the kernels (weights, the batch, noise drawn in JavaScript). `replayKernels` then runs the
 * record twice over, without op wrappers, scopes, the gradient tape or any JavaScript of the algorithm:
 * - in order: every call on the outputs of the calls it read, each output freed after its last reader, as the update
 *   ran them, so products still pack operands they have not seen and data comes from wherever the update left it;
 * - in isolation: each distinct call alone in a tight loop on inputs of its shapes (warm caches, operands packed once).
 * The update's time minus the in-order replay is the framework's share; in order minus in isolation is what running the
 * kernels as one data flow (memory traffic, packing) adds to their own arithmetic.
 */
import * as tf from '@tensorflow/tfjs';

/** One input of a kernel call: its key, shape and dtype, and the call and output slot that produced it (if one did). */
type RecordedInput = { key: string; shape: number[]; dtype: tf.DataType; from?: [call: number, slot: number] };

/** A kernel call as the engine received it. */
export interface KernelCall {
  name: string;
  /** Concat and AddN receive their inputs as an array, every other kernel as named inputs. */
  positional: boolean;
  inputs: RecordedInput[];
  attrs: Record<string, unknown>;
}

/** The replayed kernels' time, per call of the recorded function (ms). */
export interface KernelReplay {
  /** Kernel calls recorded. */
  calls: number;
  /** The calls in their order on their own outputs. */
  inOrderMs: number;
  /** Each distinct call alone, summed over the record. */
  isolatedMs: number;
  /** The matrix products' (BatchMatMul, _FusedMatMul) share of `isolatedMs`. */
  isolatedProductMs: number;
}

type RunKernel = (name: string, inputs: tf.NamedTensorMap | tf.Tensor[], attrs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

function engineWithKernels(): { runKernel: RunKernel } {
  return tf.engine() as unknown as { runKernel: RunKernel };
}

/** Runs `fn` and returns the kernels the engine dispatched for it, outermost calls only, in order. */
export function recordKernelCalls(fn: () => void): KernelCall[] {
  const engine = engineWithKernels();
  const original = engine.runKernel;
  const calls: KernelCall[] = [];
  const producedBy = new Map<tf.Tensor, [number, number]>();
  let depth = 0;
  engine.runKernel = (name, inputs, attrs) => {
    const call: KernelCall | undefined =
      depth === 0
        ? {
            name,
            positional: Array.isArray(inputs),
            inputs: Object.entries(inputs)
              .filter(([, tensor]) => tensor != null)
              .map(([key, tensor]) => ({ key, shape: [...tensor.shape], dtype: tensor.dtype, from: producedBy.get(tensor) })),
            attrs: { ...(attrs ?? {}) },
          }
        : undefined;
    depth++;
    try {
      const out = original.call(engine, name, inputs, attrs);
      if (call) {
        (Array.isArray(out) ? out : [out]).forEach((tensor, slot) => producedBy.set(tensor, [calls.length, slot]));
        calls.push(call);
      }
      return out;
    } finally {
      depth--;
    }
  };
  try {
    fn();
  } finally {
    engine.runKernel = original;
  }
  return calls;
}

/** `Name [shape, …]`, e.g. `BatchMatMul [64×256, 256×64]`. */
export function describeCall(call: KernelCall): string {
  return `${call.name} [${call.inputs.map((input) => input.shape.join('×') || 'scalar').join(', ')}]`;
}

/** Attributes that are tensors (rare) are left out of the key: they do not change a kernel's cost at fixed shapes. */
function callKey(call: KernelCall): string {
  return `${describeCall(call)} ${JSON.stringify(call.attrs, (_, v) => (v instanceof tf.Tensor ? undefined : v))}`;
}

/** Positive values in [0.1, 1): valid for every kernel an update runs (Rsqrt, Log, divisions). */
function randomInput(shape: number[], dtype: tf.DataType): tf.Tensor {
  return dtype === 'float32' ? tf.randomUniform(shape, 0.1, 1) : tf.zeros(shape, dtype);
}

function runCall(call: KernelCall, tensors: tf.Tensor[]): tf.Tensor[] {
  const engine = engineWithKernels();
  const inputs = call.positional ? tensors : Object.fromEntries(call.inputs.map(({ key }, k) => [key, tensors[k]]));
  const out = engine.runKernel.call(engine, call.name, inputs, call.attrs);
  return Array.isArray(out) ? out : [out];
}

/**
 * Median over `rounds` of the mean time of a run, in ms. A round repeats the run until it has taken `roundMs` (at least
 * twice), after a warm-up of a quarter of that: small kernels get thousands of runs, a paper-size update a few.
 */
function timeRuns(run: () => void, roundMs: number, rounds = 3): number {
  const first = performance.now();
  run();
  const once = Math.max(performance.now() - first, 1e-3);
  const repeats = Math.max(2, Math.ceil(roundMs / once));
  for (let k = 0; k < repeats >> 2; k++) run();
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let k = 0; k < repeats; k++) run();
    means.push((performance.now() - start) / repeats);
  }
  return means.sort((a, b) => a - b)[rounds >> 1];
}

/** The whole record in order: each output freed after its last reader; inputs made outside the kernels made once, up front. */
function inOrderMs(calls: readonly KernelCall[], roundMs: number): number {
  const lastRead = new Map<string, number>();
  calls.forEach((call, k) => call.inputs.forEach(({ from }) => from && lastRead.set(`${from[0]}:${from[1]}`, k)));
  const outside = calls.map((call) => call.inputs.map(({ shape, dtype, from }) => (from ? undefined : randomInput(shape, dtype))));
  const replay = () => {
    const outputs: (tf.Tensor[] | undefined)[] = [];
    calls.forEach((call, k) => {
      const tensors = call.inputs.map(({ from }, j) => (from ? outputs[from[0]]![from[1]] : outside[k][j]!));
      const out = runCall(call, tensors);
      outputs.push(out);
      out.forEach((tensor, slot) => {
        if (!lastRead.has(`${k}:${slot}`)) tensor.dispose();
      });
      for (const { from } of call.inputs) if (from && lastRead.get(`${from[0]}:${from[1]}`) === k) outputs[from[0]]![from[1]].dispose();
    });
  };
  try {
    return timeRuns(replay, roundMs);
  } finally {
    tf.dispose(outside.flat().filter((t): t is tf.Tensor => t !== undefined));
  }
}

/** Each distinct call alone (rounds of `roundMs`), summed over the record: [total, products]. */
function isolatedMs(calls: readonly KernelCall[], roundMs: number): [number, number] {
  const groups = new Map<string, { call: KernelCall; count: number }>();
  for (const call of calls) {
    const key = callKey(call);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { call, count: 1 });
  }
  let total = 0;
  let products = 0;
  for (const { call, count } of groups.values()) {
    const tensors = call.inputs.map(({ shape, dtype }) => randomInput(shape, dtype));
    try {
      const each = timeRuns(() => tf.dispose(runCall(call, tensors)), roundMs);
      total += each * count;
      if (/MatMul/.test(call.name)) products += each * count;
    } catch (error) {
      throw new Error(`cannot replay ${describeCall(call)}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      tf.dispose(tensors);
    }
  }
  return [total, products];
}

/**
 * Replays `calls` (recorded over `per` calls of the function, e.g. one cycle of updates) and reports per call. `roundMs`:
 * how long each timing round of the in-order replay and of each distinct call alone lasts.
 */
export function replayKernels(calls: readonly KernelCall[], per = 1, roundMs = { inOrder: 300, isolated: 3 }): KernelReplay {
  const [isolated, products] = isolatedMs(calls, roundMs.isolated);
  return {
    calls: calls.length / per,
    inOrderMs: inOrderMs(calls, roundMs.inOrder) / per,
    isolatedMs: isolated / per,
    isolatedProductMs: products / per,
  };
}
