/**
 * A child process for the claim race test: waits until `<dir>/go` exists, tries to claim every key given, prints the keys
 * it won as JSON, then holds its claims (stays alive) until `<dir>/stop` exists (or `<dir>` is gone: a failed test).
 * Usage: node --import tsx claim-racer.ts <dir> <claimsDir> <key>...
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tryClaim } from '../../harness/claims.ts';

const [dir, claims, ...keys] = process.argv.slice(2);
while (!existsSync(join(dir, 'go')) && existsSync(dir)) await sleep(5);
const won = keys.filter((key) => tryClaim(claims, key, process.pid, { staleAfterMs: 60_000, log: () => undefined }).claimed);
process.stdout.write(`${JSON.stringify(won)}\n`);
while (!existsSync(join(dir, 'stop')) && existsSync(dir)) await sleep(20);
