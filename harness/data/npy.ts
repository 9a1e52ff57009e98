/**
 * NumPy `.npy` files (format versions 1–3): read little-endian float32 and float64 arrays of one or two
 * dimensions in C order (float64 is converted to float32, spec §3.2), and write float32. Every error names the
 * file and what is wrong with it (dtype, order, shape, truncated data).
 */
import { readFileSync } from 'node:fs';
import { DataShapeError } from '../../contracts/errors.ts';

/** An array read from or written to a `.npy` file. */
export interface NpyArray {
  /** `[N]` or `[N, D]`. */
  shape: number[];
  /** dtype stored in the file; `data` is float32 either way. */
  dtype: 'float32' | 'float64';
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const DTYPES: Record<string, { dtype: NpyArray['dtype']; itemBytes: number }> = {
  '<f4': { dtype: 'float32', itemBytes: 4 },
  '<f8': { dtype: 'float64', itemBytes: 8 },
};

/** Parses the bytes of a `.npy` file; `file` only names it in errors. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) throw new DataShapeError(file, 'not a .npy file (bad magic bytes)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataShapeError(file, `unsupported .npy format version ${major}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) throw new DataShapeError(file, `truncated header: expected ${dataStart} bytes, found ${bytes.length}`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));
  const { descr, shape } = parseHeader(header, file);
  const type = DTYPES[descr];
  if (!type) throw new DataShapeError(file, `unsupported dtype '${descr}' (expected little-endian float32 '<f4' or float64 '<f8')`);
  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = count * type.itemBytes;
  const foundBytes = bytes.length - dataStart;
  if (foundBytes !== expectedBytes) {
    throw new DataShapeError(file, `data of shape ${formatShape(shape)} ${descr}: expected ${expectedBytes} bytes, found ${foundBytes}`);
  }
  return { shape, dtype: type.dtype, data: toFloat32(bytes, dataStart, count, type.dtype) };
}

/** Reads a `.npy` file. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}

/** The bytes of a float32 `.npy` file (format 1.0, header padded to 64 bytes as NumPy does). */
export function encodeNpy(data: Float32Array, shape: number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.length < 1 || shape.length > 2 || count !== data.length) {
    throw new RangeError(`cannot write ${data.length} values as shape ${formatShape(shape)}`);
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  const unpadded = 10 + dict.length + 1; // magic, version, length, dict, '\n'
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + data.byteLength);
  Buffer.from(MAGIC).copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 10 + header.length);
  return out;
}

/** NumPy's spelling of a shape: `(5,)`, `(5, 3)`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function parseHeader(header: string, file: string): { descr: string; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataShapeError(file, `unreadable .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === 'True') throw new DataShapeError(file, 'Fortran-ordered arrays are not supported (save in C order)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.length < 1 || shape.length > 2 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new DataShapeError(file, `shape (${shapeText}) is not supported (expected 1 or 2 dimensions)`);
  }
  return { descr, shape };
}

/** Copies (or views, when aligned) the little-endian payload as float32. */
function toFloat32(bytes: Uint8Array, start: number, count: number, dtype: NpyArray['dtype']): Float32Array {
  const offset = bytes.byteOffset + start;
  if (dtype === 'float32') {
    return offset % 4 === 0
      ? new Float32Array(bytes.buffer, offset, count)
      : new Float32Array(bytes.buffer.slice(offset, offset + 4 * count));
  }
  const wide = offset % 8 === 0
    ? new Float64Array(bytes.buffer, offset, count)
    : new Float64Array(bytes.buffer.slice(offset, offset + 8 * count));
  return Float32Array.from(wide);
}
