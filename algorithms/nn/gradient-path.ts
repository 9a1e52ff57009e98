/**
 * Which gradients the current backward pass can use, so the MLP's hand-written gradient computes only those: an input's
 * gradient when a gradient can flow into it (below), a network's parameter gradients when the optimiser step in progress
 * trains them. tfjs' own gradients are lazy per input; a custom gradient is computed whole,
 * so without this the actor step would pay for the critic's weight gradients it then throws away.
 */
import * as tf from '@tensorflow/tfjs';

let trained: ReadonlySet<tf.Variable> | undefined;
/** Tensors custom gradients of the step in progress kept for their backward passes (`saveForBackward`). */
let keptForStep: tf.Tensor[] | undefined;

/**
 * Runs `fn` (an optimiser step's gradient computation) with `variables` as the only ones it trains; what custom gradients
 * kept for their backward passes during `fn` is freed when it returns (the backward passes have run by then).
 */
export function whileTraining<T>(variables: readonly tf.Variable[], fn: () => T): T {
  const [previousTrained, previousKept] = [trained, keptForStep];
  trained = new Set(variables);
  keptForStep = [];
  try {
    return fn();
  } finally {
    tf.dispose(keptForStep);
    [trained, keptForStep, tapeIndex] = [previousTrained, previousKept, undefined];
  }
}

/**
 * Hands tensors to a custom gradient's backward pass; returns what that pass reads, `inputs` then `intermediates`, given
 * the tensors tfjs passes it. tfjs' `save` copies every tensor (one Identity kernel each, ~10 per MLP layer); the
 * forward's own intermediates need no copy, since nothing else holds them: inside an optimiser step (`whileTraining`) they
 * are kept as they are and freed when the step ends. Inputs, which their owner may free before the backward pass runs,
 * always go through `save`; so does everything outside a step (e.g. a bare `tf.grad`).
 */
export function saveForBackward(save: tf.GradSaveFunc, inputs: tf.Tensor[], intermediates: tf.Tensor[]): (saved: tf.Tensor[]) => tf.Tensor[] {
  if (keptForStep === undefined || !isTapeOn()) {
    save([...inputs, ...intermediates]);
    return (saved) => saved;
  }
  save(inputs);
  keptForStep.push(...intermediates.map((t) => tf.keep(t)));
  return (saved) => [...saved, ...intermediates];
}

/** True while tfjs records operations for a gradient (inside tf.variableGrads / tf.grad, outside any kernel). */
export function isRecording(): boolean {
  const state = tf.engine().state;
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/** True inside a custom gradient's forward that tfjs records: the one place its `save` keeps anything. */
function isTapeOn(): boolean {
  const state = tf.engine().state;
  return state.gradientDepth > 0 && state.kernelDepth === 1;
}

/** Whether `variable`'s gradient is wanted: inside `whileTraining`, only that step's variables; elsewhere every trainable one. */
export function isTrained(variable: tf.Variable): boolean {
  return variable.trainable && (trained === undefined || trained.has(variable));
}

/**
 * Whether a gradient can flow into `x`. Inside an optimiser step (`whileTraining`) the gradient's sources are the trained
 * variables, so `x` needs one only if it depends on one of them through recorded ops: a concat of batch data recorded inside
 * the step is still data. Outside a step (a bare `tf.grad(f)(x)`, whose x may be any tensor) every output of a recorded op
 * counts.
 */
export function onGradientPath(x: tf.Tensor): boolean {
  if (!isRecording()) return false;
  if (x instanceof tf.Variable) return isTrained(x);
  const index = indexTape(tf.engine().state.activeTape);
  if (trained === undefined) return index.producer.has(x.id);
  const flows = (t: tf.Tensor): boolean => {
    if (t instanceof tf.Variable) return isTrained(t);
    const known = index.depends.get(t.id);
    if (known !== undefined) return known;
    const node = index.producer.get(t.id);
    const result = node !== undefined && Object.values(node.inputs).some((input) => input != null && flows(input));
    index.depends.set(t.id, result);
    return result;
  };
  return flows(x);
}

/** Per tape: which recorded op produced each tensor, and the answers so far (a tape only grows while it records). */
let tapeIndex: { tape: readonly TapeNode[]; indexed: number; producer: Map<number, TapeNode>; depends: Map<number, boolean> } | undefined;

type TapeNode = { inputs: tf.NamedTensorMap; outputs: tf.Tensor[] };

/** The index of `tape`, brought up to date with the ops recorded since it was last read. */
function indexTape(tape: readonly TapeNode[]): NonNullable<typeof tapeIndex> {
  if (tapeIndex?.tape !== tape) tapeIndex = { tape, indexed: 0, producer: new Map(), depends: new Map() };
  for (; tapeIndex.indexed < tape.length; tapeIndex.indexed++) {
    for (const output of tape[tapeIndex.indexed].outputs) tapeIndex.producer.set(output.id, tape[tapeIndex.indexed]);
  }
  return tapeIndex;
}

/**
 * Runs `fn` with tfjs' recording paused: nothing it computes is on the tape, so its results are data to the gradient — a
 * stop-gradient without the copy and the zero backward pass of a custom one. tfjs has no public switch for this; the
 * counter below is the one it raises while a kernel runs, the state in which it records nothing.
 */
export function offTape<T>(fn: () => T): T {
  const state = tf.engine().state;
  state.kernelDepth++;
  try {
    return fn();
  } finally {
    state.kernelDepth--;
  }
}

/**
 * sg(t): `t`'s values as a tensor no gradient flows through. It shares `t`'s data, counted once more as an Identity kernel
 * would (so each can be freed on its own), but no kernel runs and the gradient tape never hears of it: the backward pass
 * cannot reach what `t` was computed from. Replaces reading the value back as a number, which waited for the device.
 * Caller owns the result.
 */
export function stopGradient<T extends tf.Tensor>(t: T): T {
  const backend = tf.backend();
  backend.incRef(t.dataId);
  return tf.engine().makeTensorFromDataId(t.dataId, t.shape, t.dtype, backend) as T;
}
