/**
 * `om2p-bench agents convert <paths...>`: rewrites kept agents of the JSON format (`*.weights.json`, files or folders
 * searched recursively) as safetensors, each checked against the original before the JSON file goes.
 * `om2p-bench agents prune <dir>`: removes the kept agents of a results folder that its report does not replay (every
 * task × dataset × algorithm keeps the agent of its lowest-seed cell), e.g. before committing or sending the folder.
 */
import { statSync, unlinkSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { filesUnder } from '../files.ts';
import { labelCells, readCells } from '../report/cells.ts';
import { replayChoices } from '../report/episodes.ts';
import { convertLegacyPolicy } from '../run/policy-file.ts';
import { cellsDir, keptWeightsPath, LEGACY_WEIGHTS_SUFFIX } from '../run/store.ts';

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Kept agents of the JSON format under `path` (itself when it is a file), in name order. */
function legacyPolicies(path: string): string[] {
  return filesUnder(path, (name) => name.endsWith(LEGACY_WEIGHTS_SUFFIX));
}

export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('kept agents (cells/<id>.safetensors): convert the JSON format of before, prune a results folder');
  agents
    .command('convert')
    .description('rewrite kept agents of the JSON format (*.weights.json) as safetensors, checked byte for byte, then remove the JSON')
    .argument('<paths...>', 'files or folders (searched recursively for *.weights.json)')
    .action((paths: string[]) => {
      let before = 0;
      let after = 0;
      const files = paths.flatMap(legacyPolicies);
      for (const file of files) {
        const done = convertLegacyPolicy(file);
        before += done.bytesBefore;
        after += done.bytesAfter;
        process.stdout.write(`${done.from} → ${basename(done.to)}\n`);
      }
      process.stdout.write(`${files.length} agent(s) converted: ${megabytes(before)} → ${megabytes(after)}\n`);
    });
  agents
    .command('prune')
    .description("remove the kept agents of a results folder that its report does not replay (each group keeps its lowest seed's)")
    .argument('<dir>', 'results folder')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action((dir: string, opts: { dryRun?: boolean }) => {
      const labelled = labelCells(readCells(dir).cells);
      const replayed = new Set(replayChoices(dir, labelled).flatMap(({ weights }) => (weights ? [weights] : [])));
      const unused = labelled.flatMap(({ cell }) => {
        const weights = keptWeightsPath(dir, cell.cellId);
        return weights && !replayed.has(weights) ? [weights] : [];
      });
      let freed = 0;
      for (const file of unused) {
        freed += statSync(file).size;
        if (!opts.dryRun) unlinkSync(file);
        process.stdout.write(`${opts.dryRun ? 'would remove' : 'removed'} ${file}\n`);
      }
      process.stdout.write(`${cellsDir(dir)}: ${replayed.size} replayed agent(s) kept, ${unused.length} removed (${megabytes(freed)})${opts.dryRun ? ' (dry run)' : ''}\n`);
    });
}
