/**
 * A worker thread's part of a threaded MATD3 (matd3-threads.ts): learns the agents it owns on its own tfjs backend and
 * answers each question on its port in order, then bumps the shared reply counter that the asking thread sleeps on.
 * An error is answered, not thrown: the asking thread is blocked and would never hear of it otherwise.
 */
import { workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { behaviourLearner, readAndDispose, type Matd3Part } from '../registry.ts';
import { initBackend } from '../backend.ts';
import { Rng } from '../../contracts/rng.ts';
import type { AgentBatch, NamedWeights, StateBatch } from '../../contracts/types.ts';
import type { PartReply, PartRequest, PartWorkerData, WireTensor } from './matd3-threads.ts';

const data = workerData as PartWorkerData;

const tensor = (w: WireTensor) => tf.tensor2d(w.values, w.shape);

/** The minibatch of the update in progress (from `targetActions` until `learn`). */
let held: { batch: AgentBatch[]; states?: StateBatch } | undefined;

function release(): void {
  if (!held) return;
  tf.dispose([...held.batch.flatMap((b) => [b.obs, b.acts, b.rews, b.nextObs, b.dones]), ...(held.states ? [held.states.states, held.states.nextStates] : [])]);
  held = undefined;
}

async function answer(part: Matd3Part, request: PartRequest): Promise<unknown> {
  switch (request.op) {
    case 'targetActions': {
      release();
      const batch = request.batch.map((b) => ({
        obs: tensor(b.obs), acts: tensor(b.acts), rews: tensor(b.rews), nextObs: tensor(b.nextObs), dones: tensor(b.dones),
      }));
      const states = request.states ? { states: tensor(request.states.states), nextStates: tensor(request.states.nextStates) } : undefined;
      held = { batch, states };
      return readAndDispose(await part.targetActions(batch, states)());
    }
    case 'learn': {
      const nextActs = tensor(request.nextActs);
      const losses = await part.learn(nextActs)();
      nextActs.dispose();
      release();
      return losses;
    }
    case 'actorMeans':
      return part.actorMeans(request.obs)();
    case 'save':
      return part.save(request.actorsOnly)();
    case 'load':
      return part.load(request.weights as NamedWeights, request.actorsOnly)();
  }
}

const ready = initBackend(data.backend, () => undefined).then(() =>
  behaviourLearner.createPart(data.space, data.config, new Rng(data.seed), data.owned),
);

/** Questions are answered one at a time, in order, even while an answer waits for the device. */
let answered = Promise.resolve();

data.port.on('message', (request: PartRequest) => {
  answered = answered.then(async () => {
    let reply: PartReply;
    try {
      reply = { value: await answer(await ready, request) };
    } catch (error) {
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
    data.port.postMessage(reply);
    Atomics.add(data.replies, 0, 1);
    Atomics.notify(data.replies, 0);
  });
});
