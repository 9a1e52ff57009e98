/**
 * The learned agents that one update serves together (SPEC §4 "Common": still independent learners): E ≥ 1 agents of
 * equal dimensions whose batches are row-stacked in agent order ([E·B, n], nn/row-blocks.ts). Each agent keeps its own
 * variables (`agent<i>/…`) and its own random streams: every draw it would make alone it makes from the same stream in the
 * same order, and the agents' draws are concatenated. A group of one is a lone learner.
 */
import type { Rng } from '../../harness/rng.ts';
import { createMlp, stackMlps, type Mlp, type MlpOptions } from './mlp.ts';

export class AgentGroup {
  /** `names[k]` is agent k's variable prefix (`agent<i>`), `rngs[k]` its stream. */
  constructor(
    readonly names: readonly string[],
    readonly rngs: readonly Rng[],
  ) {}

  /** E, the number of agents. */
  get size(): number {
    return this.names.length;
  }

  /** Every agent's stream forked by `label` (what a lone agent's `rng.fork(label)` was). */
  fork(label: string): AgentGroup {
    return new AgentGroup(this.names, this.rngs.map((rng) => rng.fork(label)));
  }

  /** One `make(rng, name)` per agent, from its stream and with its prefix, in agent order. */
  each<T>(make: (rng: Rng, name: string) => T): T[] {
    return this.rngs.map((rng, k) => make(rng, this.names[k]));
  }

  /**
   * Per-row values for `rows` stacked rows: each agent draws its rows/E with `draw` from its own stream; every key's arrays
   * are concatenated in agent order.
   */
  draw<K extends string>(rows: number, draw: (rng: Rng, rows: number) => Record<K, Float32Array>): Record<K, Float32Array> {
    const parts = this.rngs.map((rng) => draw(rng, rows / this.size));
    if (parts.length === 1) return parts[0];
    const keys = Object.keys(parts[0]) as K[];
    return Object.fromEntries(keys.map((key) => [key, concatArrays(parts.map((part) => part[key]))])) as Record<K, Float32Array>;
  }
}

/** The arrays one after another. */
export function concatArrays(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** One MLP per agent (agent k's named `<name_k>/<name>`, made from its stream), stacked (`stackMlps`). */
export function createGroupMlp(options: MlpOptions, group: AgentGroup, name: string): Mlp {
  return stackMlps(group.each((rng, agent) => createMlp(options, rng, `${agent}/${name}`)));
}
