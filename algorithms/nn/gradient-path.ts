/**
 * Which gradients the current backward pass can use, so the MLP's hand-written gradient computes only those: an input's
 * gradient when the input lies on the tape (it came from a recorded op), a network's parameter gradients when the
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

/** Whether a gradient can flow into `x`: it is a trained variable or the output of an operation on the active tape. */
export function onGradientPath(x: tf.Tensor): boolean {
  if (!isRecording()) return false;
  if (x instanceof tf.Variable) return isTrained(x);
  const tape = tf.engine().state.activeTape;
  // Newest first: an input computed inside the step was recorded recently; data inputs scan the whole (short) tape.
  for (let k = tape.length - 1; k >= 0; k--) {
    if (tape[k].outputs.some((output) => output.id === x.id)) return true;
  }
  return false;
}
