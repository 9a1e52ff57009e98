import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../harness/data/npy.ts';
import { handWrittenNpy as handWritten } from './fixtures.ts';

function float64Payload(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, k) => view.setFloat64(8 * k, v, true));
  return bytes;
}

describe('npy', () => {
  it('reads a hand-written float64 (2, 2) array as float32', () => {
    const values = [1.5, -2.25, 0.1, 1e10];
    const file = handWritten(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", float64Payload(values));
    const array = parseNpy(file, 'x.npy');
    expect(array.shape).toEqual([2, 2]);
    expect(array.dtype).toBe('float64');
    expect([...array.data]).toEqual(values.map(Math.fround));
  });

  it('reads a format 2.0 header with a 1-D float64 shape at an odd byte offset', () => {
    const file = handWritten(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", float64Payload([3, -1, 0.5]), 16);
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const array = parseNpy(shifted.subarray(1), 'y.npy');
    expect(array.shape).toEqual([3]);
    expect([...array.data]).toEqual([3, -1, 0.5]);
  });

  it('writes float32 that reads back with the same shape and values and a 64-byte aligned header', () => {
    const data = Float32Array.from([0, 1.25, -3, 7e-8, 1e6, -0.5]);
    const bytes = encodeNpy(data, [2, 3]);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes.length).toBe(10 + headerLength + 24);
    expect(bytes.subarray(10, 10 + headerLength).toString('latin1')).toContain("'shape': (2, 3)");
    const back = parseNpy(bytes, 'z.npy');
    expect(back).toEqual({ shape: [2, 3], dtype: 'float32', data });
  });

  it('writes a 1-D shape with NumPy\'s trailing comma', () => {
    const bytes = encodeNpy(Float32Array.from([1, 2]), [2]);
    expect(bytes.toString('latin1')).toContain("'shape': (2,)");
    expect(parseNpy(bytes, 'r.npy').shape).toEqual([2]);
  });

  it('names the file and both byte counts for truncated data', () => {
    const file = handWritten(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", float64Payload([1, 2, 3, 4]));
    expect(() => parseNpy(file.subarray(0, file.length - 5), 'obs_0.npy')).toThrow(/obs_0\.npy.*expected 32 bytes, found 27/);
  });

  it.each([
    ["{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", /unsupported dtype '>f4'/],
    ["{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", /unsupported dtype '<i8'/],
    ["{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", /Fortran/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", /1 or 2 dimensions/],
  ])('rejects header %s', (dict, message) => {
    expect(() => parseNpy(handWritten(1, dict, new Uint8Array(8)), 'bad.npy')).toThrow(message);
  });

  it('rejects a file without the magic bytes', () => {
    expect(() => parseNpy(new Uint8Array(20), 'junk.npy')).toThrow(/junk\.npy.*magic/);
  });
});
