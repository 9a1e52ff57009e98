#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx so the package needs no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../harness/cli.ts');
process.exitCode = await main(process.argv);
