/**
 * tfjs' WebGPU backend on Dawn (the npm package `webgpu`: Chrome's WebGPU engine as a prebuilt Node addon), with the
 * adapter picked here rather than by tfjs: tfjs asks `navigator.gpu` for the default adapter, which in Node would be no
 * adapter at all on a machine without a Vulkan driver, and cannot ask for Dawn's OpenGL ES backend (it needs the
 * `compatibility` feature level). So the device is opened here and handed to tfjs' `WebGPUBackend`; `navigator.gpu` is
 * never set, so nothing keeps the process alive once its work is done.
 *
 * Adapters, in the order `auto` tries them:
 * - `vulkan`: Dawn's Vulkan backend. A GPU node's vendor driver (high-performance preferred), else a Vulkan software
 *   rasteriser Dawn accepts (Mesa's lavapipe from 23 on; Debian 12's 22.3 lacks a feature Dawn requires).
 * - `opengles`: Dawn's OpenGL ES backend through EGL, headless (`EGL_PLATFORM=surfaceless`); with stock Mesa that is
 *   llvmpipe, a CPU rasteriser: the whole GPU path runs, slowly, on any Linux box with Mesa's EGL and GLES libraries.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebgpuAdapter } from '../contracts/types.ts';

export const WEBGPU_ADAPTERS = ['auto', 'vulkan', 'opengles'] as const;
export type WebgpuAdapterChoice = (typeof WEBGPU_ADAPTERS)[number];

export interface WebgpuOptions {
  /** Which Dawn backend to open. @default 'auto' */
  adapter?: WebgpuAdapterChoice;
  /**
   * Extra Dawn instance flags, as dawn.node's `create()` takes them: `enable-dawn-features=a,b`,
   * `disable-dawn-features=…` (Dawn toggles), `adapter=<name part>` (pick among several adapters of one backend).
   */
  dawnFlags?: string[];
}


let opened: { adapter: WebgpuAdapter; device: GPUDevice } | undefined;

/** True for the adapters Mesa and Google ship as CPU rasterisers. */
function isSoftware(info: GPUAdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return info.isFallbackAdapter || /llvmpipe|lavapipe|softpipe|swiftshader/.test(text);
}

/** The limits tfjs' own factory asks for: the adapter's maxima, so that large matrices fit one binding. */
function deviceDescriptor(adapter: GPUAdapter): GPUDeviceDescriptor {
  const limits = adapter.limits;
  return {
    // timestamp-query lets tf.profile time kernels; Dawn's OpenGL ES backend lacks it (kernel times read 0 there).
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/** Opens a device on one Dawn backend, or says why not. */
async function openOn(
  gpu: GPU,
  dawnBackend: WebgpuAdapter['dawnBackend'],
  dawnFlags: string[],
): Promise<{ adapter: WebgpuAdapter; info: GPUAdapterInfo; device: GPUDevice } | string> {
  const adapter = await gpu.requestAdapter(
    dawnBackend === 'opengles' ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : { powerPreference: 'high-performance' },
  );
  if (!adapter) return 'Dawn found no adapter';
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice(deviceDescriptor(adapter));
  } catch (error) {
    return `the adapter refused a device: ${error instanceof Error ? error.message : String(error)}`;
  }
  const info = adapter.info;
  return {
    adapter: {
      dawnBackend,
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      software: isSoftware(info),
      dawnFlags,
    },
    info,
    device,
  };
}

/**
 * Opens the WebGPU device (once per process) and registers tfjs' `webgpu` backend on it; returns the adapter.
 * `notice` hears of each adapter tried and passed over. Throws, naming every reason, when no adapter can be opened.
 */
export async function registerWebgpu(options: WebgpuOptions, notice: (line: string) => void): Promise<WebgpuAdapter> {
  if (opened) return opened.adapter;
  const choice = options.adapter ?? 'auto';
  if (!(WEBGPU_ADAPTERS as readonly string[]).includes(choice)) {
    throw new Error(`unknown WebGPU adapter '${choice}' (choose one of ${WEBGPU_ADAPTERS.join(', ')})`);
  }
  const { create, globals } = await import('webgpu');
  // GPUBufferUsage, GPUMapMode, … : the WebGPU globals tfjs' backend reads, as a browser defines them.
  Object.assign(globalThis, globals);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const reasons: string[] = [];
  for (const dawnBackend of choice === 'auto' ? (['vulkan', 'opengles'] as const) : [choice]) {
    if (dawnBackend === 'opengles') process.env.EGL_PLATFORM ??= 'surfaceless'; // headless EGL: no X or Wayland display
    let gpu: GPU;
    let result: Awaited<ReturnType<typeof openOn>>;
    try {
      gpu = create([`backend=${dawnBackend}`, ...(options.dawnFlags ?? [])]);
      result = await openOn(gpu, dawnBackend, options.dawnFlags ?? []);
    } catch (error) {
      result = `Dawn failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (typeof result === 'string') {
      reasons.push(`${dawnBackend}: ${result}`);
      notice(`webgpu adapter ${dawnBackend} skipped: ${result}`);
      continue;
    }
    const { device, adapter, info } = result;
    opened = { adapter, device };
    device.lost.then((lost) => {
      if (lost.reason !== 'destroyed') process.stderr.write(`webgpu device lost (${lost.reason}): ${lost.message}\n`);
    });
    // Released before Node tears the process down: Dawn's GL context outliving it aborts the exit.
    process.once('exit', () => device.destroy());
    tf.registerBackend('webgpu', () => whileNavigatorHasGpu(gpu, () => new WebGPUBackend(device, info)));
    return adapter;
  }
  throw new Error(`no WebGPU adapter could be opened (${reasons.join('; ')})`);
}

/**
 * Runs `fn` with `navigator.gpu` set: tfjs' backend constructor refuses to run without it. It is removed again at once,
 * since a `navigator.gpu` left in place keeps Node from exiting.
 */
function whileNavigatorHasGpu<T>(gpu: GPU, fn: () => T): T {
  const holder = globalThis as { navigator?: object };
  const hadNavigator = holder.navigator !== undefined;
  if (!hadNavigator) holder.navigator = {};
  Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
  try {
    return fn();
  } finally {
    delete (holder.navigator as { gpu?: GPU }).gpu;
    if (!hadNavigator) delete holder.navigator;
  }
}

/** The adapter `registerWebgpu` opened, if it ran. */
export function webgpuAdapter(): WebgpuAdapter | undefined {
  return opened?.adapter;
}

/** One line naming the adapter, for `info` and logs. */
export function describeAdapter(adapter: WebgpuAdapter): string {
  const name = [adapter.vendor, adapter.architecture, adapter.device].filter((s) => s).join(' ');
  const flags = adapter.dawnFlags.length ? `; flags ${adapter.dawnFlags.join(' ')}` : '';
  return `${name || 'unnamed adapter'} (Dawn ${adapter.dawnBackend}; ${adapter.description}${adapter.software ? '; software rasteriser' : ''}${flags})`;
}

/**
 * Runs `fn` and returns, beside its value, the most GPU buffer bytes in use at any moment while it ran, as tfjs' WebGPU
 * buffer manager counts them (every tensor's buffer, resident weights included, plus the uniform and staging buffers
 * kernels and reads hold): the GPU memory the work needed, the paper's measure. Buffers freed into tfjs' pool for
 * reuse do not count. `peakBytes` is undefined off the webgpu backend.
 */
export async function gpuBytesHighWater<T>(fn: () => Promise<T>): Promise<{ value: T; peakBytes: number | undefined }> {
  if (tf.getBackend() !== 'webgpu') return { value: await fn(), peakBytes: undefined };
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const backend = tf.backend();
  if (!(backend instanceof WebGPUBackend)) throw new Error('the webgpu backend is not tfjs\' WebGPUBackend');
  const manager = backend.bufferManager;
  const acquire = manager.acquireBuffer;
  let peakBytes = manager.numBytesUsed;
  // Usage only grows when a buffer is acquired: checking after each acquisition sees every maximum.
  manager.acquireBuffer = function (...args: Parameters<typeof acquire>) {
    const buffer = acquire.apply(this, args);
    peakBytes = Math.max(peakBytes, this.numBytesUsed);
    return buffer;
  };
  try {
    const value = await fn();
    return { value, peakBytes };
  } finally {
    delete (manager as Partial<typeof manager>).acquireBuffer; // the prototype's method again
  }
}
