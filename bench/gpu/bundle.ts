/**
 * `npm run bundle [-- --out <dir>] [-- --xz-level <0-9>]`: writes the offline bundle for linux-x64 GPU nodes without npm
 * access (docs/gpu-node.md) — everything `om2p-bench` needs, no `node_modules`, no registry:
 *   om2p-bench                    launcher (bash): unpacks the *.xz files once, then runs lib/om2p-bench.mjs on runtime/node
 *   lib/*.mjs                     the CLI and its worker entries bundled by esbuild (shared chunks beside them)
 *   lib/dist/linux-x64/dawn.node.xz   Dawn's Node addon from the npm package `webgpu` (the webgpu backend)
 *   wasm/                         tfjs-backend-wasm's binaries, MuJoCo's (xz)
 *   runtime/node.xz               the Node binary running this script (process.execPath), xz-compressed
 *   package.json, schemas/, results/*.json, test/fixtures/update-losses.json, bench/gpu/check.sh
 * The layout is `BUNDLE_LAYOUT` in contracts/package-files.ts, where the bundled code looks for these files. The bundle
 * must stay within 48 MiB (a cluster's upload limits); it is checked here.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { BUNDLE_LAYOUT, ENTRIES, PACKAGE_ROOT } from '../../contracts/package-files.ts';

const LIMIT_BYTES = 48 * 2 ** 20;
const require = createRequire(import.meta.url);
const { values: args } = parseArgs({ options: { out: { type: 'string' }, 'xz-level': { type: 'string', default: '9' } } });
const out = resolve(args.out ?? join(PACKAGE_ROOT, 'dist', 'om2p-bench-linux-x64'));
const xzLevel = Number(args['xz-level']);
if (!Number.isInteger(xzLevel) || xzLevel < 0 || xzLevel > 9) throw new Error(`--xz-level: '${args['xz-level']}' is not an integer from 0 to 9`);
// dawn.node and the Node binary are platform code: the bundle is for the platform that builds it, and that must be linux-x64
if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the bundle targets linux-x64; this is ${process.platform}-${process.arch}`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const at = (path: string) => join(out, path);

// The bundled code is ESM; tfjs' CommonJS parts and emscripten glue expect `require`, `__filename` and `__dirname`. The
// banner gives them under names of its own (`define` points the free `__filename`/`__dirname` there), so a bundled module
// that declares its own (the `webgpu` package does) does not clash with it; `require` is a global for the same reason.
const banner = [
  "import { createRequire as __om2pCreateRequire } from 'node:module';",
  "import { fileURLToPath as __om2pFileURLToPath } from 'node:url';",
  "import { dirname as __om2pDirnameOf } from 'node:path';",
  'globalThis.require ??= __om2pCreateRequire(import.meta.url);',
  'const __om2pFilename = __om2pFileURLToPath(import.meta.url);',
  'const __om2pDirname = __om2pDirnameOf(__om2pFilename);',
].join(' ');
await build({
  entryPoints: { 'om2p-bench': join(PACKAGE_ROOT, 'harness/main.ts'), ...Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(PACKAGE_ROOT, file)])) },
  outdir: at(BUNDLE_LAYOUT.lib),
  outExtension: { '.js': '.mjs' },
  // the chunks sit beside the entries: every module's `import.meta.url` is then one level below the root (package-files.ts)
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  // tfjs' packages name a CommonJS build as `main`: imported dynamically across chunks, such a module's namespace would
  // hold only `default`, and `const { setWasmPaths } = await import(…)` would find nothing. Their ES module builds
  // (`module`) keep the named exports; every tfjs package then comes from them, so there is one tfjs-core.
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  define: { OM2P_BUNDLE: 'true', __filename: '__om2pFilename', __dirname: '__om2pDirname' },
  // optional native backends a GPU node cannot install offline anyway: initBackend skips them with a notice
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  banner: { js: banner },
  logLevel: 'warning',
});

/** The files placed xz-compressed (the launcher unpacks them), relative to the bundle's root. */
const packed: string[] = [];

/** Copies `from` to `to` in the bundle, xz-compressed when `compress`. */
function place(from: string, to: string, compress: boolean): void {
  mkdirSync(dirname(at(to)), { recursive: true });
  if (!compress) return copyFileSync(from, at(to));
  writeFileSync(at(`${to}.xz`), execFileSync('xz', [`-${xzLevel}`, '--stdout', from], { maxBuffer: 2 ** 30 }));
  packed.push(to);
}

const tfjsWasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
// Node never takes the threaded binary (tfjs-backend-wasm turns threads off under Node)
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) place(join(tfjsWasmDir, file), join(BUNDLE_LAYOUT.wasm, file), false);
place(require.resolve('@mujoco/mujoco/mujoco.wasm'), join(BUNDLE_LAYOUT.wasm, 'mujoco.wasm'), true);
place(join(dirname(require.resolve('webgpu')), 'dist', 'linux-x64', 'dawn.node'), BUNDLE_LAYOUT.dawn, true);
place(process.execPath, BUNDLE_LAYOUT.node, true);

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; description: string; license: string };
writeFileSync(at('package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, type: 'module', private: true }, null, 2)}\n`);
cpSync(join(PACKAGE_ROOT, 'schemas'), at('schemas'), { recursive: true });
mkdirSync(at('results'));
for (const spec of readdirSync(join(PACKAGE_ROOT, 'results')).filter((name) => name.endsWith('.json'))) copyFileSync(join(PACKAGE_ROOT, 'results', spec), at(join('results', spec)));
place(join(PACKAGE_ROOT, 'test/fixtures/update-losses.json'), 'test/fixtures/update-losses.json', false);
place(join(PACKAGE_ROOT, 'bench/gpu/check.sh'), 'bench/gpu/check.sh', false);
place(join(PACKAGE_ROOT, 'docs/gpu-node.md'), 'README.md', false);
writeFileSync(at('om2p-bench'), launcher());
for (const script of ['om2p-bench', 'bench/gpu/check.sh']) chmodSync(at(script), 0o755);

/** The launcher: unpacks the compressed files beside themselves once, then runs the bundled CLI on the bundled Node. */
function launcher(): string {
  return `#!/usr/bin/env bash
# om2p-bench from the offline bundle (README.md here): on first launch unpacks the xz-compressed files (the Node binary,
# dawn.node, MuJoCo's wasm) beside themselves, then runs the bundled CLI on that Node. Arguments go to om2p-bench as given.
set -euo pipefail
here=$(dirname "$(readlink -f "\${BASH_SOURCE[0]}")")
for file in ${packed.join(' ')}; do
  target="$here/$file"
  [ -e "$target" ] && continue
  command -v xz >/dev/null || { echo "om2p-bench: unpacking $file.xz needs xz (xz-utils), which is not installed" >&2; exit 1; }
  # unpacked under a temporary name, then renamed: a launch killed mid-way or two at once never use a half-written file
  xz --decompress --stdout "$target.xz" > "$target.$$.tmp"
  chmod +x "$target.$$.tmp"
  mv -f "$target.$$.tmp" "$target"
done
exec "$here/${BUNDLE_LAYOUT.node}" "$here/${BUNDLE_LAYOUT.lib}/om2p-bench.mjs" "$@"
`;
}

/** Every file under `dir` with its size. */
function files(dir: string): { path: string; bytes: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [{ path: relative(out, full), bytes: statSync(full).size }];
  });
}
const all = files(out);
const parts: [string, (path: string) => boolean][] = [
  ['Node binary (xz)', (p) => p === `${BUNDLE_LAYOUT.node}.xz`],
  ['dawn.node (xz)', (p) => p === `${BUNDLE_LAYOUT.dawn}.xz`],
  ['bundled JavaScript', (p) => p.startsWith(`${BUNDLE_LAYOUT.lib}/`) && p.endsWith('.mjs')],
  ['wasm binaries', (p) => p.startsWith(`${BUNDLE_LAYOUT.wasm}/`)],
];
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const total = all.reduce((sum, f) => sum + f.bytes, 0);
let counted = 0;
for (const [name, matches] of parts) {
  const bytes = all.filter((f) => matches(f.path)).reduce((sum, f) => sum + f.bytes, 0);
  counted += bytes;
  process.stdout.write(`${name.padEnd(22)} ${mib(bytes).padStart(10)}\n`);
}
process.stdout.write(`${'everything else'.padEnd(22)} ${mib(total - counted).padStart(10)}\n${'total'.padEnd(22)} ${mib(total).padStart(10)}  → ${out}\n`);
if (total > LIMIT_BYTES) {
  process.stderr.write(`bundle: ${mib(total)} exceeds the ${mib(LIMIT_BYTES)} limit\n`);
  process.exitCode = 1;
}
