/**
 * Seeded randomness. One root seed per cell, split into independent named streams (`init`, `batches`,
 * `noise`, `env`, ...) so that adding draws to one purpose never shifts the numbers of another.
 * Generator: xoroshiro128+ from pure-rand; stream seeds are derived by hashing (root, name).
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

type Generator = ReturnType<typeof xoroshiro128plus>;

/** 32-bit FNV-1a over the root seed's bytes and the stream name, then a murmur3 finaliser. */
export function deriveSeed(root: number, name: string): number {
  let h = 0x811c9dc5;
  const mix = (byte: number) => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  for (let k = 0; k < 4; k++) mix(root >>> (8 * k));
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    mix(code);
    mix(code >>> 8);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A mutable stream of random numbers. */
export class Rng {
  readonly seed: number;
  #gen: Generator;
  #spareNormal: number | undefined;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#gen = xoroshiro128plus(this.seed | 0);
  }

  /** An independent stream named `name`, derived from this stream's seed (not from its position). */
  fork(name: string): Rng {
    return new Rng(deriveSeed(this.seed, name));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.#gen);
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return uniformInt(this.#gen, 0, n - 1);
  }

  /** Standard normal (Marsaglia polar method; the spare value is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const z = this.#spareNormal;
      this.#spareNormal = undefined;
      return z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spareNormal = v * f;
    return u * f;
  }

  /** Exponential(1). */
  exponential(): number {
    return -Math.log(1 - this.uniform());
  }

  /** A fresh 32-bit seed, e.g. for a tfjs random op (`tf.randomNormal(shape, 0, 1, 'float32', rng.nextSeed())`). */
  nextSeed(): number {
    return uniformInt(this.#gen, 0, 0x7fffffff);
  }

  /** Fills `out` with N(0, 1) draws. */
  fillNormal(out: Float32Array | Float64Array): typeof out {
    for (let k = 0; k < out.length; k++) out[k] = this.normal();
    return out;
  }
}

/** The root stream of a cell. */
export function createRng(seed: number): Rng {
  return new Rng(deriveSeed(seed, 'root'));
}
