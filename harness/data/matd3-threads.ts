/**
 * MATD3 with its agents spread over threads (`--threads`): the behaviour training of the dataset builder is bound by the
 * matrix products of the agents' own networks (HalfCheetah's 2×256 twin critics: ~85 % of the time), one core each at
 * most (wasm threads do not start in Node), and within an update agent i reads only its own networks and the joint target
 * actions (`Matd3Part`). So the agents are split into consecutive blocks: this thread learns the first, a worker thread
 * each of the others, exchanging the minibatch, the target actions and the losses twice per update. The results are
 * bit-identical to one thread (every part runs the same kernels on the same values: test/data/matd3-threads.test.ts).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { behaviourLearner, readEager, type Later, type Matd3, type Matd3Config, type Matd3Part, type Matd3Space } from '../registry.ts';
import { currentBackend } from '../backend.ts';
import { workerThreadSource } from '../../contracts/package-files.ts';
import type { Rng } from '../../contracts/rng.ts';
import type { AgentBatch, NamedWeights, StateBatch } from '../../contracts/types.ts';

/** A tensor as it crosses threads. */
export interface WireTensor {
  values: Float32Array;
  shape: [number, number];
}

/** What the worker is asked (harness/data/matd3-worker.ts), one question at a time, answered in order. */
export type PartRequest =
  | { op: 'targetActions'; batch: Record<keyof AgentBatch, WireTensor>[]; states?: Record<keyof StateBatch, WireTensor> }
  | { op: 'learn'; nextActs: WireTensor }
  | { op: 'actorMeans'; obs: Float32Array[] }
  | { op: 'save'; actorsOnly: boolean }
  | { op: 'load'; weights: NamedWeights; actorsOnly: boolean };

export type PartReply = { value: unknown } | { error: string };

/** What a worker is started with. */
export interface PartWorkerData {
  port: MessagePort;
  /** Incremented (and notified) after every reply, so that this thread can sleep until one arrives. */
  replies: Int32Array;
  /** The harness backend of the asking thread (the worker must compute as it does; tfjs' own name would turn tensorflow-gpu into tensorflow). */
  backend: string;
  space: Matd3Space;
  config: Matd3Config;
  seed: number;
  owned: number[];
}

/** A worker that says nothing for this long is taken for dead (a minibatch update takes well under a second). */
const REPLY_TIMEOUT_MS = 10 * 60_000;

/** Threads for `agents` agents when not given: one per core, at most one per agent. */
export function defaultThreads(agents: number): number {
  return Math.max(1, Math.min(agents, availableParallelism()));
}

/**
 * MATD3 over `space`'s agents on `threads` threads (1 = `createMatd3`). Same rng, same results; `dispose` stops the workers.
 */
export function createThreadedMatd3(space: Matd3Space, config: Matd3Config, rng: Rng, threads: number): Matd3 {
  const n = space.obsDims.length;
  const blocks = Math.min(n, Math.max(1, Math.floor(threads)));
  if (blocks === 1) return behaviourLearner.create(space, config, rng);
  const first = (t: number) => Math.floor((t * n) / blocks); // block t owns agents first(t) … first(t + 1) − 1
  const owned = Array.from({ length: blocks }, (_, t) => Array.from({ length: first(t + 1) - first(t) }, (_, k) => first(t) + k));
  const parts = owned.map((agents, t) => (t === 0 ? behaviourLearner.createPart(space, config, rng, agents) : workerPart(space, config, rng, agents)));
  return behaviourLearner.compose(space, config, rng, parts);
}

/**
 * The tensors' values as they cross threads: at once on host-memory backends, so that the question is posted before this
 * thread starts its own part's work; from a device, once read back without waiting synchronously for it.
 */
function wire(tensors: tf.Tensor[]): WireTensor[] | Promise<WireTensor[]> {
  const wired = (values: Float32Array[]) => values.map((v, k) => ({ values: v, shape: tensors[k].shape as [number, number] }));
  const values = readEager(tensors);
  return values instanceof Promise ? values.then(wired) : wired(values);
}

/** `f` of a value now, or of a promised value once it is there. */
function then<T, U>(value: T | Promise<T>, f: (value: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/** The part owning `owned`, learning on a worker thread. */
function workerPart(space: Matd3Space, config: Matd3Config, rng: Rng, owned: number[]): Matd3Part {
  const { port1, port2 } = new MessageChannel();
  const replies = new Int32Array(new SharedArrayBuffer(4));
  const data: PartWorkerData = { port: port2, replies, backend: currentBackend(), space, config, seed: rng.seed, owned };
  const worker = new Worker(workerThreadSource('matd3-worker'), {
    eval: true,
    workerData: data,
    transferList: [port2],
  });
  worker.unref();
  const who = `matd3 worker for agent${owned.length > 1 ? 's' : ''} ${owned.join(', ')}`;

  const answer = <T>(): T => {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(replies, 0);
      const message = receiveMessageOnPort(port1);
      if (message) {
        const reply = message.message as PartReply;
        if ('error' in reply) throw new Error(`${who}: ${reply.error}`);
        return reply.value as T;
      }
      if (Date.now() > deadline) throw new Error(`${who}: no answer in ${REPLY_TIMEOUT_MS / 60_000} minutes`);
      Atomics.wait(replies, 0, seen, 1_000);
    }
  };
  /** Sends the request now, or once its tensors are read back; the answer is awaited when asked for. */
  const ask = <T>(request: PartRequest | Promise<PartRequest>): Later<T> => {
    const sent = then(request, (r) => port1.postMessage(r));
    return async () => {
      await sent;
      return answer<T>();
    };
  };
  const BATCH_KEYS = ['obs', 'acts', 'rews', 'nextObs', 'dones'] as const;

  return {
    owned,
    targetActions: (batch, states) => {
      const wired = wire([...batch.flatMap((b) => BATCH_KEYS.map((key) => b[key])), ...(states ? [states.states, states.nextStates] : [])]);
      const later = ask<Float32Array[]>(
        then(wired, (w): PartRequest => ({
          op: 'targetActions',
          batch: batch.map((_, i) => Object.fromEntries(BATCH_KEYS.map((key, k) => [key, w[i * BATCH_KEYS.length + k]])) as Record<keyof AgentBatch, WireTensor>),
          ...(states ? { states: { states: w.at(-2)!, nextStates: w.at(-1)! } } : {}),
        })),
      );
      const rows = batch[0].obs.shape[0];
      return async () => (await later()).map((values, k) => tf.tensor2d(values, [rows, space.actDims[owned[k]]]));
    },
    learn: (nextActs) => ask(then(wire([nextActs]), ([w]): PartRequest => ({ op: 'learn', nextActs: w }))),
    actorMeans: (obs) => ask({ op: 'actorMeans', obs }),
    save: (actorsOnly) => ask({ op: 'save', actorsOnly }),
    load: (weights, actorsOnly) => ask({ op: 'load', weights, actorsOnly }),
    dispose: () => {
      port1.close();
      void worker.terminate();
    },
  };
}
