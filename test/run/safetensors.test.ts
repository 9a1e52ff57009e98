/**
 * The safetensors codec on hand-made tensors: a small file equals the bytes written out by hand from the published
 * layout; float32 values of every kind (NaN payloads, ±0, subnormals, ±∞, extremes, random bit patterns) come back bit
 * for bit; files that break the layout are refused with the file named and the fault stated.
 */
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../harness/run/safetensors.ts';
import { createRng } from '../../contracts/rng.ts';
import { checkSafetensorsLayout } from '../helpers/safetensors-layout.ts';

/** float32 values from their IEEE-754 bit patterns. */
const fromBits = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

describe('encodeSafetensors', () => {
  it('writes the layout byte for byte: length, header padded to 8 bytes, tensors in name order, little-endian float32', () => {
    const bytes = encodeSafetensors({ tensors: { b: { shape: [2], values: Float32Array.of(1, -2) }, a: { shape: [], values: Float32Array.of(0.5) } }, metadata: { k: 'v' } });
    const header = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
    // 132 header bytes, padded with 4 spaces to 136
    const expected = Buffer.concat([
      Buffer.from([136, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(`${header}    `, 'utf8'),
      Buffer.from([0x00, 0x00, 0x00, 0x3f]), // 0.5 = 0x3f000000
      Buffer.from([0x00, 0x00, 0x80, 0x3f]), // 1 = 0x3f800000
      Buffer.from([0x00, 0x00, 0x00, 0xc0]), // -2 = 0xc0000000
    ]);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('round-trips float32 bit for bit, every shape kind included (scalar, empty, 3-d)', () => {
    const special = [0x7fc00001, 0xffffffff, 0x7f800001, 0x80000000, 0x00000000, 0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7f7fffff, 0x00800000, 0x3eaaaaab];
    const rng = createRng(7);
    const random = Array.from({ length: 24 }, () => Math.floor(rng.uniform() * 2 ** 32) >>> 0);
    const tensors = {
      'agent0/actor/w0': { shape: [3, 4], values: fromBits(special) },
      'agent0/actor/b0': { shape: [], values: fromBits([0x40490fdb]) },
      'agent1/critic/q0/w1': { shape: [2, 3, 4], values: fromBits(random) },
      empty: { shape: [0, 5], values: new Float32Array(0) },
    };
    const bytes = encodeSafetensors({ tensors, metadata: { algorithm: 'om2p', config: '{"eta":0.1}' } });
    const layout = checkSafetensorsLayout(bytes);
    expect(layout.metadata).toEqual({ algorithm: 'om2p', config: '{"eta":0.1}' });
    expect(layout.tensors.empty.data_offsets[0]).toBe(layout.tensors.empty.data_offsets[1]);
    const back = decodeSafetensors(bytes, 'x.safetensors');
    expect(back.metadata).toEqual({ algorithm: 'om2p', config: '{"eta":0.1}' });
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, { shape, values }] of Object.entries(tensors)) {
      expect(back.tensors[name].shape).toEqual(shape);
      expect(bitsOf(back.tensors[name].values)).toEqual(bitsOf(values));
    }
  });

  it('reads a file whose tensors are not in offset order and whose header is not padded (other writers)', () => {
    const header = Buffer.from('{"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const bytes = Buffer.concat([length, header, Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40])]);
    const { tensors, metadata } = decodeSafetensors(bytes, 'other.safetensors');
    expect(metadata).toEqual({});
    expect(Array.from(tensors.x.values)).toEqual([1]);
    expect(Array.from(tensors.y.values)).toEqual([2]);
  });
});

describe('decodeSafetensors refuses a broken file, naming it and the fault', () => {
  const file = (header: object | string, buffer: number[]) => {
    const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(text.length));
    return Buffer.concat([length, text, Buffer.from(buffer)]);
  };
  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
  it.each([
    ['fewer than 8 bytes', Buffer.from([1, 2, 3]), /^t\.safetensors: not a safetensors file: 3 bytes/],
    ['a header length past the end', Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]), /header length 200 exceeds the 2 bytes after it/],
    ['a header that is not an object', file('[1]', []), /does not begin with "\{"/],
    ['a header that is not JSON', file('{"a":', []), /header is not valid JSON/],
    ['a hole between tensors', file({ a: f32(0, 4), b: f32(8, 12) }, new Array(12).fill(0)), /tensor b starts at byte 8 of the buffer, expected 4/],
    ['overlapping tensors', file({ a: f32(0, 8), b: f32(4, 12) }, new Array(12).fill(0)), /tensor b starts at byte 4 of the buffer, expected 8/],
    ['bytes no tensor covers', file({ a: f32(0, 4) }, new Array(8).fill(0)), /the tensors cover 4 bytes of the buffer, which holds 8/],
    ['a range that does not fit the shape', file({ a: f32(0, 4, [2]) }, new Array(4).fill(0)), /tensor a: data_offsets \[0, 4\] hold 4 bytes, shape \[2\] F32 needs 8/],
    ['another dtype', file({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Array(4).fill(0)), /tensor a: dtype "F16" is not supported \(only F32\)/],
    ['metadata that is not text', file({ __metadata__: { seed: 3 } }, []), /__metadata__\.seed is 3, not a string/],
  ])('%s', (_what, bytes, message) => {
    expect(() => decodeSafetensors(bytes, 't.safetensors')).toThrow(message);
  });
});
