/**
 * What an update's kernels cost by themselves. `recordKernelCalls` notes every kernel the engine dispatches while a
 * function runs (name, input shapes and dtypes, attributes); `isolatedKernelMs` runs each distinct call again, alone, in a
 * tight loop on fresh inputs of the same shapes, and sums the times over the record. Against the update's wall-clock time
 * this splits an update into its kernels' own cost and everything around them (op wrappers, scopes, gradient bookkeeping,
 * matrix products packing operands they have not seen, cold caches, garbage collection). Replayed products reuse their
 * operands, whose packed layout the backend keeps, so the sum is a floor rather than an estimate.
 */
import * as tf from '@tensorflow/tfjs';

/** One input of a kernel call: its key and its tensor's shape and dtype. */
type RecordedInput = { key: string; shape: number[]; dtype: tf.DataType };

/** A kernel call as the engine received it: enough to run it again on fresh inputs of the same shapes. */
export interface KernelCall {
  name: string;
  /** Concat and AddN receive their inputs as an array, every other kernel as named inputs. */
  positional: boolean;
  inputs: RecordedInput[];
  attrs: Record<string, unknown>;
}

/** The kernels' own cost, per call of the recorded function. */
export interface IsolatedKernels {
  /** Kernel calls recorded. */
  calls: number;
  /** Summed isolated time of every recorded call. */
  ms: number;
  /** The matrix products' share (BatchMatMul, _FusedMatMul). */
  productMs: number;
  /** Distinct calls that could not be replayed on random inputs (not in `ms`). */
  notReplayed: string[];
}

type RunKernel = (name: string, inputs: tf.NamedTensorMap | tf.Tensor[], attrs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

function describeInputs(inputs: tf.NamedTensorMap | tf.Tensor[]): RecordedInput[] {
  return Object.entries(inputs)
    .filter(([, value]) => value != null)
    .map(([key, value]) => ({ key, shape: [...(value as tf.Tensor).shape], dtype: (value as tf.Tensor).dtype }));
}

/** Runs `fn` and returns the kernels the engine dispatched for it, outermost calls only, in order. */
export function recordKernelCalls(fn: () => void): KernelCall[] {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  const calls: KernelCall[] = [];
  let depth = 0;
  engine.runKernel = (name, inputs, attrs) => {
    if (depth === 0) calls.push({ name, positional: Array.isArray(inputs), inputs: describeInputs(inputs), attrs: { ...(attrs ?? {}) } });
    depth++;
    try {
      return original.call(engine, name, inputs, attrs);
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

/** Attributes that are tensors (rare) are left out of the key: they do not change a kernel's cost at fixed shapes. */
function callKey(call: KernelCall): string {
  return `${describeCall(call)} ${JSON.stringify(call.attrs, (_, v) => (v instanceof tf.Tensor ? undefined : v))}`;
}

/** `Name [shape, …]`, e.g. `BatchMatMul [64×256, 256×64]`. */
function describeCall(call: KernelCall): string {
  return `${call.name} [${call.inputs.map((input) => input.shape.join('×') || 'scalar').join(', ')}]`;
}

/** Positive values in [0.1, 1): valid for every kernel an update runs (Rsqrt, Log, divisions). */
function randomInput(shape: number[], dtype: tf.DataType): tf.Tensor {
  return dtype === 'float32' ? tf.randomUniform(shape, 0.1, 1) : tf.zeros(shape, dtype);
}

/** Median over `rounds` of the mean time of `repeats` calls, in ms. */
function timeCall(run: () => void, repeats: number, rounds = 3): number {
  for (let k = 0; k < Math.max(10, repeats >> 2); k++) run();
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let k = 0; k < repeats; k++) run();
    means.push((performance.now() - start) / repeats);
  }
  return means.sort((a, b) => a - b)[rounds >> 1];
}

/**
 * Replays each distinct call of `calls` alone (`repeats` times per round, through the engine so dispatch is included) and
 * sums over all calls, divided by `per` (the number of updates recorded).
 */
export function isolatedKernelMs(calls: readonly KernelCall[], per = 1, repeats = 200): IsolatedKernels {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const groups = new Map<string, { call: KernelCall; count: number }>();
  for (const call of calls) {
    const key = callKey(call);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { call, count: 1 });
  }
  let ms = 0;
  let productMs = 0;
  const notReplayed: string[] = [];
  for (const { call, count } of groups.values()) {
    const tensors = call.inputs.map(({ shape, dtype }) => randomInput(shape, dtype));
    const inputs = call.positional ? tensors : Object.fromEntries(call.inputs.map(({ key: name }, k) => [name, tensors[k]]));
    try {
      const each = timeCall(() => tf.dispose(engine.runKernel.call(engine, call.name, inputs, call.attrs)), repeats);
      ms += each * count;
      if (/MatMul/.test(call.name)) productMs += each * count;
    } catch {
      notReplayed.push(describeCall(call));
    } finally {
      tf.dispose(tensors);
    }
  }
  return { calls: calls.length / per, ms: ms / per, productMs: productMs / per, notReplayed };
}
