#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx so the package needs no build step. Both hooks: a plugin kept in a
// folder without `"type": "module"` loads as CommonJS, which the ESM hook alone fails on ("Cannot require() ES Module … in a cycle").
import { register } from 'tsx/esm/api';
import { register as registerCommonJs } from 'tsx/cjs/api';
register();
registerCommonJs();
await import('../harness/main.ts');
