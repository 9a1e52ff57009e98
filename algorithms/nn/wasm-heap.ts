/**
 * Kernels of our own on the wasm backend, for the few of its kernels that are pathological at our shapes (transposes of
 * tall matrices, concatenations of narrow columns): they only move values, so a JavaScript loop over the backend's heap
 * gives bit-identical results, faster. tfjs' public types do not expose the heap: this module is the one place that reads
 * it.
 */
import * as tf from '@tensorflow/tfjs';

/** What the wasm backend offers a kernel beyond tfjs' public types. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: { HEAPF32: Float32Array };
}

/**
 * Float32 views for a kernel: `make` allocates the output; `floats()` is the whole heap as float32, and `at(info)` a
 * tensor's first element in it. Take `floats()` after the last `make`: an allocation may grow the heap and detach views.
 */
export interface HeapAccess {
  make(shape: number[]): tf.TensorInfo;
  floats(): Float32Array;
  at(info: tf.TensorInfo): number;
}

/** Registers `kernelName` for the wasm backend once; `run` gets the inputs in the order they were passed, and the attributes. */
export function registerWasmKernel(kernelName: string, run: (inputs: tf.TensorInfo[], heap: HeapAccess, attrs: tf.NamedAttrMap) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (tf.getKernel(kernelName, 'wasm')) return;
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackend;
      const heap: HeapAccess = {
        make: (shape) => wasm.makeOutput(shape, 'float32'),
        floats: () => wasm.wasm.HEAPF32,
        at: (info) => wasm.dataIdMap.get(info.dataId).memoryOffset >> 2,
      };
      return run(Object.values(inputs) as tf.TensorInfo[], heap, attrs ?? {});
    },
  });
}

/** Whether a float32 computation can take a wasm kernel of our own here. tfjs cannot differentiate such a kernel. */
export function onWasmHeap(tensors: readonly tf.Tensor[]): boolean {
  return tf.getBackend() === 'wasm' && tensors.every((t) => t.dtype === 'float32');
}
