/** `om2p-bench info`: backend, versions, cores and where datasets and run outputs go. */
import type { Command } from 'commander';
import { runEnvironment, unavailableBackends } from '../backend.ts';
import { describeAdapter } from '../webgpu.ts';
import { dataDir, runDir } from '../paths.ts';
import { algorithmNames, environmentNames } from '../registry.ts';
import { prepare } from './context.ts';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the backend in use, versions, cores, registered algorithms/environments and data/run paths')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { options } = await prepare(command);
      const info = {
        ...runEnvironment(),
        dataDir: dataDir(options.dataDir),
        runsDir: runDir('<matrix>'),
        algorithms: algorithmNames(),
        environments: environmentNames(),
        unavailableBackends: unavailableBackends().map(({ name, reason }) => ({ name, reason })),
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const lines = [
        `backend      ${info.backend}`,
        ...(info.adapter ? [`adapter      ${describeAdapter(info.adapter)}`] : []),
        ...info.unavailableBackends.map(({ name, reason }) => `unavailable  ${name}: ${reason}`),
        `tfjs         ${info.tfjsVersion}`,
        `node         ${info.nodeVersion}`,
        `om2p-bench   ${info.harnessVersion}`,
        `cores        ${info.host.cores} (${info.host.platform}/${info.host.arch})`,
        `datasets     ${info.dataDir}`,
        `runs         ${info.runsDir}`,
        `algorithms   ${info.algorithms.join(', ') || '(none)'}`,
        `environments ${info.environments.join(', ') || '(none)'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
