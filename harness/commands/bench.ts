/** `om2p-bench bench <what>`: speed and memory benchmarks (tinybench); numbers are printed, never asserted in tests. */
import { Command } from 'commander';

/** The `bench` group; each benchmark module adds its subcommand to it. */
export function registerBench(program: Command): Command {
  return program.command('bench').description('benchmarks: nn (dense gradient), env (steps/s), algos (memory, update and sampling speed), matd3 (the dataset builder update on 1 … n threads)');
}
