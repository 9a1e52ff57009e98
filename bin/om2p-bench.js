#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx so the package needs no build step. The second hook makes every .ts
// file an ES module, so a plugin in a folder without `"type": "module"` loads like any other (bin/esm-typescript.js).
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';
register();
registerHooks('./esm-typescript.js', import.meta.url);
await import('../harness/main.ts');
