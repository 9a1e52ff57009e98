/** `om2p-bench validate <file|dir>`: exit 0 when every file is valid, else one line per problem. */
import type { Command } from 'commander';
import { validatableFiles, validateFile } from '../report/validate.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate result files, matrix specs, dataset cards and CSV tables against their JSON Schemas')
    .argument('<paths...>', 'files or directories (searched recursively for .json and .csv)')
    .action((paths: string[]) => {
      const files = paths.flatMap(validatableFiles);
      const issues = files.flatMap(validateFile);
      for (const issue of issues) process.stdout.write(`${issue.file}: ${issue.path || '/'}: ${issue.reason}\n`);
      process.stdout.write(`${files.length} file(s) checked, ${issues.length} problem(s)\n`);
      if (issues.length > 0) process.exitCode = 1;
    });
}
