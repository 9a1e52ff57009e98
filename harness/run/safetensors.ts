/**
 * The safetensors layout (Hugging Face; `safetensors.torch.load_file` and `safe_open` in PyTorch, JAX and NumPy read it):
 * an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON that begins with `{` — per tensor its `dtype`,
 * `shape` and `data_offsets` [begin, end) into the byte buffer, plus an optional `__metadata__` map of strings to strings —
 * then the byte buffer, every byte of it covered by exactly one tensor (no holes, no overlaps), little-endian, row-major.
 * Only float32 (`F32`) tensors are read and written: the only dtype an agent saves. The writer pads the header with
 * spaces so the buffer starts at a multiple of 8 bytes (the reference writer does the same, so a reader can map the
 * tensors in place), and orders tensors by name. Every error names the file and what is wrong with it.
 */
import { DataShapeError } from '../../contracts/errors.ts';

/** One float32 tensor: its shape and its values in row-major order. */
export interface Tensor {
  shape: number[];
  values: Float32Array;
}

/** What a safetensors file holds. */
export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const METADATA_KEY = '__metadata__';
const LENGTH_BYTES = 8;
/** The reference implementation refuses larger headers (a guard against a corrupt length). */
const MAX_HEADER_BYTES = 100_000_000;

const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The bytes of a safetensors file holding `tensors` (in name order) and `metadata`. */
export function encodeSafetensors({ tensors, metadata }: Safetensors): Buffer {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { [METADATA_KEY]: metadata };
  let offset = 0;
  for (const name of names) {
    if (name === METADATA_KEY) throw new RangeError(`a tensor may not be named ${METADATA_KEY}`);
    const { shape, values } = tensors[name];
    if (elementCount(shape) !== values.length) throw new RangeError(`tensor ${name}: ${values.length} values do not fill shape [${shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * values.length] };
    offset += 4 * values.length;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = json.length + ((LENGTH_BYTES - (json.length % LENGTH_BYTES)) % LENGTH_BYTES);
  const bytes = Buffer.alloc(LENGTH_BYTES + padded + offset, 0x20);
  bytes.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(bytes, LENGTH_BYTES);
  let at = LENGTH_BYTES + padded;
  for (const name of names) {
    const { values } = tensors[name];
    // copied as bytes, so every value (NaN payloads, -0, subnormals) stays bit for bit; typed arrays are in the platform's
    // byte order, little-endian wherever this runs (WebAssembly, which the tfjs and MuJoCo backends need, is little-endian)
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    at += values.byteLength;
  }
  return bytes;
}

interface HeaderEntry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses the bytes of a safetensors file; `file` only names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, file: string): Safetensors {
  const fail = (reason: string): never => {
    throw new DataShapeError(file, reason);
  };
  if (bytes.length < LENGTH_BYTES) fail(`not a safetensors file: ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - LENGTH_BYTES))) {
    fail(`not a safetensors file: header length ${headerLength} exceeds the ${bytes.length - LENGTH_BYTES} bytes after it`);
  }
  const start = LENGTH_BYTES + Number(headerLength);
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(LENGTH_BYTES, start));
  if (!text.startsWith('{')) fail('not a safetensors file: the header does not begin with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`header is not valid JSON: ${(error as Error).message}`);
  }
  const entries: HeaderEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) metadata = readMetadata(value, fail);
    else entries.push(readEntry(name, value, fail));
  }
  const buffer = bytes.length - start;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const entry of entries) {
    if (entry.begin !== covered) {
      fail(`tensor ${entry.name} starts at byte ${entry.begin} of the buffer, expected ${covered} (the buffer must be covered without holes or overlaps)`);
    }
    covered = entry.end;
  }
  if (covered !== buffer) fail(`the tensors cover ${covered} bytes of the buffer, which holds ${buffer}`);
  const tensors: Record<string, Tensor> = {};
  for (const { name, shape, begin, end } of entries) {
    // copied out: the file's bytes need not sit at a multiple of 4 in memory, and the caller owns the result
    const values = new Float32Array((end - begin) / 4);
    new Uint8Array(values.buffer).set(bytes.subarray(start + begin, start + end));
    tensors[name] = { shape, values };
  }
  return { tensors, metadata };
}

function readMetadata(value: unknown, fail: (reason: string) => never): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${METADATA_KEY} is not an object of strings`);
  for (const [key, item] of Object.entries(value as object)) {
    if (typeof item !== 'string') fail(`${METADATA_KEY}.${key} is ${JSON.stringify(item)}, not a string`);
  }
  return value as Record<string, string>;
}

function readEntry(name: string, value: unknown, fail: (reason: string) => never): HeaderEntry {
  const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (typeof entry !== 'object' || entry === null) fail(`tensor ${name}: not an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = entry!;
  if (dtype !== 'F32') fail(`tensor ${name}: dtype ${JSON.stringify(dtype)} is not supported (only F32)`);
  const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) fail(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    fail(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as number[];
  const size = elementCount(shape as number[]);
  if (end - begin !== 4 * size) fail(`tensor ${name}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${(shape as number[]).join(', ')}] F32 needs ${4 * size}`);
  return { name, shape: shape as number[], begin, end };
}
