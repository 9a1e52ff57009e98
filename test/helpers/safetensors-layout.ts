/**
 * Test helper: reads a safetensors file by the published layout alone (not through the project's decoder) and checks
 * what the format requires and what its reference writer does: an 8-byte little-endian header length N, a UTF-8 JSON
 * header that begins with `{` and is padded with spaces only, N + 8 a multiple of 8 (so the byte buffer is 8-byte
 * aligned), `__metadata__` a map of strings, every tensor F32 with a byte range that fits its shape, the ranges
 * contiguous from 0 to the end of the file without holes or overlaps. Returns the parsed header.
 */
import { expect } from 'vitest';

export interface LayoutEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function checkSafetensorsLayout(bytes: Buffer): { headerBytes: number; metadata: Record<string, string>; tensors: Record<string, LayoutEntry> } {
  const n = Number(bytes.readBigUInt64LE(0));
  expect((8 + n) % 8).toBe(0);
  const text = bytes.subarray(8, 8 + n).toString('utf8');
  expect(text[0]).toBe('{');
  const trimmed = text.replace(/ +$/, '');
  expect(trimmed.endsWith('}')).toBe(true);
  const header = JSON.parse(trimmed) as Record<string, unknown>;
  const { __metadata__: metadata = {}, ...tensors } = header as { __metadata__?: Record<string, string> } & Record<string, LayoutEntry>;
  for (const value of Object.values(metadata)) expect(typeof value).toBe('string');
  const ranges = Object.values(tensors as Record<string, LayoutEntry>).map((entry) => {
    expect(entry.dtype).toBe('F32');
    const [begin, end] = entry.data_offsets;
    expect(end - begin).toBe(4 * entry.shape.reduce((a, b) => a * b, 1));
    return [begin, end];
  });
  ranges.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end] of ranges) {
    expect(begin).toBe(covered);
    covered = end;
  }
  expect(8 + n + covered).toBe(bytes.length);
  return { headerBytes: n, metadata, tensors: tensors as Record<string, LayoutEntry> };
}
