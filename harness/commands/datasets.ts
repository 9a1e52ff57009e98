/**
 * `om2p-bench datasets list | verify | import` (spec §3.2): list the datasets of the data directory, re-check
 * checksums and shapes, and bring OMAR's own files into our layout. `datasets build` lives in `datasets-build.ts`.
 */
import type { Command } from 'commander';
import { requireExists } from '../files.ts';
import { dataDir } from '../paths.ts';
import { parseAssignments } from '../resolve.ts';
import { environmentNames } from '../registry.ts';
import type { EnvSpec } from '../../contracts/types.ts';
import { findDatasetFolders, listDatasets, type DatasetRow } from '../data/list.ts';
import { verifyDataset } from '../data/check.ts';
import { readCard } from '../data/card.ts';
import { resolveEnvSpec } from '../data/env-spec.ts';
import { importOmarDataset } from '../data/import.ts';
import { literatureDataset } from '../data/references.ts';
import { registerDatasetsBuild } from './datasets-build.ts';
import { loadPlugins } from './context.ts';
import { choiceOption, collect, integerAtLeast } from './options.ts';
import { LEVELS } from '../data/build-levels.ts';

/** The `datasets` group with its subcommands; returns the group. */
export function registerDatasets(program: Command): Command {
  const group = program.command('datasets').description('offline datasets: list, verify, import OMAR files, build (spec §3)');
  group
    .command('list')
    .description('datasets in the data directory (folders with a card.json): size, episodes, return, MB on disk')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const options = await loadPlugins(command);
      const listing = listDatasets(dataDir(options.dataDir));
      if (opts.json) process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
      else process.stdout.write(formatListing(listing.rows, listing.unreadable, dataDir(options.dataDir)));
    });
  group
    .command('verify')
    .description('recompute every checksum, shape and value (ours against the card and its environment); exit 1 on any problem')
    .argument('[path]', 'a dataset folder, an OMAR folder or a directory of them (default: the data directory)')
    .option('--env <name>', 'check every folder against this environment (default: the one its card names)')
    .option('--option <key=value>', 'environment option for --env (repeatable; JSON values)', collect)
    .action(async (path: string | undefined, opts: { env?: string; option?: string[] }, command: Command) => {
      const options = await loadPlugins(command);
      const root = path ?? dataDir(options.dataDir);
      requireExists(root, 'dataset folder');
      const folders = findDatasetFolders(root);
      if (folders.length === 0) throw new Error(`no dataset folders (card.json or obs_0.npy) at or under ${root}`);
      const given = opts.env ? (await resolveEnvSpec(opts.env, parseAssignments(opts.option))).spec : undefined;
      let bad = 0;
      for (const folder of folders) {
        const { spec, note } = given ? { spec: given, note: undefined } : await specFromCard(folder);
        const { problems, warnings } = verifyDataset(folder, spec);
        if (problems.length > 0) bad++;
        process.stdout.write(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${folder}\n`);
        if (note) process.stdout.write(`     (widths not checked against the environment: ${note})\n`);
        for (const p of problems) process.stdout.write(`     ${p.kind}: ${p.error.message}\n`);
        for (const w of warnings) process.stdout.write(`     warning: ${w.kind}: ${w.error.message}\n`);
      }
      process.stdout.write(`${folders.length} dataset(s) checked, ${bad} with problems\n`);
      if (bad > 0) process.exitCode = 1;
    });
  group
    .command('import')
    .description("convert OMAR's dataset files (<env>/<level>/seed_<k>_data, float32 or float64) into the data directory with cards")
    .requiredOption('--from <folder>', 'an OMAR environment folder, a level folder or one seed_<k>_data folder')
    .requiredOption('--env <name>', 'environment the data belongs to, e.g. simple_spread')
    .option('--option <key=value>', 'environment option (repeatable; JSON values)', collect)
    .addOption(choiceOption('--level <name>', 'only this level (and the level name of a lone seed folder)', LEVELS))
    .option('--seed <k>', 'only this seed (and the seed of a lone folder not named seed_<k>_data)', integerAtLeast(0))
    .option('--overwrite', 'replace datasets that already exist')
    .action(async (opts: { from: string; env: string; option?: string[]; level?: string; seed?: number; overwrite?: boolean }, command: Command) => {
      const options = await loadPlugins(command);
      const imported = await importOmarDataset({
        from: opts.from,
        env: opts.env,
        envOptions: parseAssignments(opts.option),
        dataDir: dataDir(options.dataDir),
        level: opts.level,
        seed: opts.seed,
        overwrite: opts.overwrite,
      });
      for (const { source, folder, card, warnings } of imported) {
        const published = literatureDataset(card.env, card.level);
        const compare = published ? ` (OMAR's card: ${published.returnMean} ± ${published.returnSd})` : '';
        const { mean, sd } = card.episodeReturn;
        process.stdout.write(
          `${source} → ${folder}\n  ${card.transitions} transitions, ${card.episodes} episodes, return ${mean.toFixed(1)} ± ${sd.toFixed(1)}${compare}, dones ${(100 * card.donesFraction).toFixed(2)} %\n`,
        );
        for (const w of warnings) process.stdout.write(`  warning: ${w.kind}: ${w.error.message}\n`);
      }
    });
  registerDatasetsBuild(group);
  return group;
}

/**
 * The spec of the environment a folder's card names, when it can be built (registered, and its options, such as a
 * prey checkpoint path, still valid); otherwise why not, so verify can say the widths went unchecked.
 */
async function specFromCard(folder: string): Promise<{ spec?: EnvSpec; note?: string }> {
  let card;
  try {
    card = readCard(folder);
  } catch {
    return {}; // verify reports the bad card itself
  }
  if (!card) return {};
  if (!environmentNames().includes(card.env)) return { note: `environment ${card.env} is not registered` };
  try {
    return { spec: (await resolveEnvSpec(card.env, card.envOptions)).spec };
  } catch (error) {
    return { note: `cannot build ${card.env} with the card's options: ${(error as Error).message}` };
  }
}

function formatListing(rows: DatasetRow[], unreadable: { folder: string; reason: string }[], root: string): string {
  if (rows.length === 0 && unreadable.length === 0) return `no datasets in ${root}\n`;
  const table = [
    ['task', 'level', 'seed', 'transitions', 'episodes', 'return (mean ± sd)', 'MB', 'origin'],
    ...rows.map((r) => [
      r.taskId, r.level, String(r.seed), String(r.transitions), String(r.episodes),
      `${r.returnMean.toFixed(1)} ± ${r.returnSd.toFixed(1)}`, r.megabytes.toFixed(1), r.origin,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => (c >= 2 && c <= 6 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
  for (const u of unreadable) lines.push(`unreadable card: ${u.folder}: ${u.reason}`);
  return `${lines.join('\n')}\n`;
}
