/**
 * Which gradients the current backward pass can use, so the MLP's hand-written gradient computes only those: an input's
 * gradient when the input depends, through recorded ops, on a trained variable; a network's parameter gradients when the
 * optimiser step in progress trains them. tfjs' own gradients are lazy per input; a custom gradient is computed whole,
 * so without this the actor step would pay for the critic's weight gradients it then throws away.
 */
import * as tf from '@tensorflow/tfjs';

let trained: ReadonlySet<tf.Variable> | undefined;

/** Runs `fn` (an optimiser step's gradient computation) with `variables` as the only ones it trains. */
export function whileTraining<T>(variables: readonly tf.Variable[], fn: () => T): T {
  const previous = trained;
  trained = new Set(variables);
  try {
    return fn();
  } finally {
    trained = previous;
  }
}

/** True while tfjs records operations for a gradient (inside tf.variableGrads / tf.grad, outside any kernel). */
export function isRecording(): boolean {
  const state = tf.engine().state;
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/** Whether `variable`'s gradient is wanted: inside `whileTraining`, only that step's variables; elsewhere every trainable one. */
export function isTrained(variable: tf.Variable): boolean {
  return variable.trainable && (trained === undefined || trained.has(variable));
}

/**
 * Whether a gradient can flow into `x`: it is a trained variable, or the output of an operation on the active tape one of
 * whose inputs a gradient can flow into (a concat of batch data recorded inside a step is still data).
 */
export function onGradientPath(x: tf.Tensor): boolean {
  if (!isRecording()) return false;
  const producers = new Map<number, tf.NamedTensorMap>();
  for (const node of tf.engine().state.activeTape) for (const output of node.outputs) producers.set(output.id, node.inputs);
  const known = new Map<number, boolean>();
  const flows = (t: tf.Tensor): boolean => {
    if (t instanceof tf.Variable) return isTrained(t);
    const inputs = producers.get(t.id);
    if (!inputs) return false;
    if (!known.has(t.id)) {
      known.set(t.id, false); // a tape is acyclic; this only guards against revisiting shared inputs
      known.set(t.id, Object.values(inputs).some((input) => input !== undefined && flows(input)));
    }
    return known.get(t.id)!;
  };
  return flows(x);
}
