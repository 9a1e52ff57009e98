/**
 * The `om2p-bench` command. Parsing and `--help` come from commander declarations; each command group lives in
 * `harness/commands/` and only parses, resolves and calls harness functions.
 */
import { Command, CommanderError } from 'commander';
import { BACKENDS } from './backend.ts';
import { registerInfo } from './commands/info.ts';
import { registerValidate } from './commands/validate.ts';
import { registerDatasets } from './commands/datasets.ts';
import { registerBench } from './commands/bench.ts';
import { registerBenchNn } from './commands/bench-nn.ts';
import { registerBenchAlgos } from './commands/bench-algos.ts';
import { registerBenchEnv } from './commands/bench-env.ts';
import { registerBenchMatd3 } from './commands/bench-matd3.ts';
import { registerBenchRegression } from './commands/bench-regression.ts';
import { registerEnv } from './commands/env.ts';
import { registerTrain } from './commands/train.ts';
import { registerMatrix } from './commands/matrix.ts';
import { registerReport } from './commands/report.ts';
import { registerTune } from './commands/tune.ts';
import { registerAgents } from './commands/agents.ts';
import { choiceOption, collect } from './commands/options.ts';

export function buildProgram(): Command {
  const program = new Command('om2p-bench')
    .description('Offline multi-agent RL benchmark: OM2P beside diffusion, flow-matching and BC baselines on one tfjs backend')
    .addOption(choiceOption('--backend <name>', 'force a tfjs backend (default: env OM2P_BACKEND, else the first that loads of all but webgpu, in this order)', BACKENDS))
    .option('--webgpu-adapter <kind>', 'webgpu only: auto | vulkan | opengles (default auto: Vulkan, else Dawn\'s OpenGL ES; env OM2P_WEBGPU_ADAPTER)')
    .option('--webgpu-flag <flag>', 'webgpu only: a Dawn instance flag, e.g. enable-dawn-features=…, adapter=<name part> (repeatable; env OM2P_WEBGPU_FLAGS)', collect)
    .option('--plugin <path>', 'load algorithm/environment definitions from a .ts or .js file (repeatable)', collect)
    .option('--data-dir <dir>', 'dataset directory (default: env OM2P_DATA_DIR, else <package>/.om2p/datasets)')
    .showHelpAfterError()
    .exitOverride();
  registerInfo(program);
  registerValidate(program);
  registerDatasets(program);
  registerTrain(program);
  registerMatrix(program);
  registerReport(program);
  registerTune(program);
  registerEnv(program);
  registerAgents(program);
  const bench = registerBench(program);
  registerBenchNn(bench);
  registerBenchAlgos(bench);
  registerBenchEnv(bench);
  registerBenchMatd3(bench);
  registerBenchRegression(bench);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so tests can call it in-process. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`om2p-bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
