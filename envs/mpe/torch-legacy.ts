/**
 * Reads PyTorch's legacy (pre-1.6, non-zip) `torch.save` files, the format of OMAR's `pretrained_adv_model.pt`.
 *
 * Layout: five pickles back to back — magic number, protocol version (1001), system info, the saved object (tensors
 * appear as `torch._utils._rebuild_tensor_v2(persistent_id(('storage', type, key, location, numel, None)), offset,
 * shape, stride, …)`), the list of storage keys — then, for each key in that list, an int64 element count followed
 * by the storage's raw little-endian bytes. Pickles are parsed with `pickleparser`; only the storage section is read
 * by the lengths and keys those pickles give.
 */
import { BufferReader, NameRegistry, Parser } from 'pickleparser';

/**
 * The magic-number pickle (`PROTO 2, LONG1 0x1950a86a20f9469cfc6c, STOP`). Its 10-byte integer exceeds what
 * pickleparser represents, so this fixed header is compared byte for byte instead of parsed.
 */
const MAGIC_PICKLE = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
const PROTOCOL_VERSION = 1001;

/** Bytes per element of each storage type the reader understands. */
const ELEMENT_BYTES: Record<string, number> = { FloatStorage: 4, DoubleStorage: 8, LongStorage: 8, IntStorage: 4 };

interface Storage {
  type: string;
  numel: number;
  /** Filled once the storage section has been read. */
  values?: Float64Array;
}

/** A tensor of the file; its values are available after the whole file has been read. */
export class LegacyTensor {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}

  /** The elements in row-major order, as float64. */
  values(): Float64Array {
    const source = this.storage.values;
    if (!source) throw new Error('tensor values requested before the storages were read');
    const numel = this.shape.reduce((a, b) => a * b, 1);
    const out = new Float64Array(numel);
    const index = new Array<number>(this.shape.length).fill(0);
    for (let k = 0; k < numel; k++) {
      let at = this.offset;
      for (let d = 0; d < index.length; d++) at += index[d] * this.stride[d];
      out[k] = source[at];
      for (let d = index.length - 1; d >= 0 && ++index[d] === this.shape[d]; d--) index[d] = 0;
    }
    return out;
  }
}

/** Parses a legacy `.pt` file; tensors in the returned object are `LegacyTensor`s, dicts are plain objects. */
export function readLegacyTorch(bytes: Uint8Array, source = 'checkpoint'): unknown {
  if (bytes.length < MAGIC_PICKLE.length || MAGIC_PICKLE.some((byte, k) => bytes[k] !== byte)) {
    throw new Error(`${source}: not a legacy PyTorch file (bad magic number; zip-format checkpoints are not supported)`);
  }
  const reader = new BufferReader(bytes);
  reader.skip(MAGIC_PICKLE.length);
  const plain = new Parser();
  const version = plain.read<number>(reader);
  if (version !== PROTOCOL_VERSION) throw new Error(`${source}: unsupported protocol version ${version}`);
  const sysInfo = plain.read<{ little_endian?: boolean }>(reader);
  if (sysInfo.little_endian !== true) throw new Error(`${source}: only little-endian checkpoints are supported`);

  const storages = new Map<string, Storage>();
  const object = objectParser(storages, source).read<unknown>(reader);
  const keys = plain.read<string[]>(reader);
  for (const key of keys) readStorage(reader, storages.get(key), key, source);
  return object;
}

/** A parser that turns persistent ids into storages and `_rebuild_tensor_v2` calls into LegacyTensors. */
function objectParser(storages: Map<string, Storage>, source: string): Parser {
  const names = new NameRegistry()
    .register('collections', 'OrderedDict', () => ({}))
    .register('torch._utils', '_rebuild_tensor_v2', (storage: Storage, offset: number, shape: number[], stride: number[]) =>
      new LegacyTensor(storage, offset, shape, stride),
    );
  for (const type of Object.keys(ELEMENT_BYTES)) names.register('torch', type, () => type);
  return new Parser({
    nameResolver: names,
    persistentResolver: {
      resolve(pid: unknown) {
        const [kind, typeFn, key, , numel] = pid as [string, () => string, string, string, number];
        if (kind !== 'storage') throw new Error(`${source}: unexpected persistent id kind '${kind}'`);
        const type = typeof typeFn === 'function' ? typeFn() : String(typeFn);
        if (!(type in ELEMENT_BYTES)) throw new Error(`${source}: unsupported storage type ${type}`);
        let storage = storages.get(key);
        if (!storage) storages.set(key, (storage = { type, numel }));
        return storage;
      },
    },
  });
}

function readStorage(reader: BufferReader, storage: Storage | undefined, key: string, source: string): void {
  if (!storage) throw new Error(`${source}: storage ${key} is listed but never referenced`);
  const header = reader.bytes(8);
  const count = Number(new DataView(header.buffer, header.byteOffset, 8).getBigInt64(0, true));
  if (count !== storage.numel) throw new Error(`${source}: storage ${key} holds ${count} elements, the pickle says ${storage.numel}`);
  const width = ELEMENT_BYTES[storage.type];
  const raw = reader.bytes(count * width);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const values = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const at = k * width;
    if (storage.type === 'FloatStorage') values[k] = view.getFloat32(at, true);
    else if (storage.type === 'DoubleStorage') values[k] = view.getFloat64(at, true);
    else if (storage.type === 'LongStorage') values[k] = Number(view.getBigInt64(at, true));
    else values[k] = view.getInt32(at, true);
  }
  storage.values = values;
}
