/** The CLI as a program: runs `main` on this process's arguments. `bin/om2p-bench.js` (through tsx) and the bundle start here. */
import { main } from './cli.ts';

process.exitCode = await main(process.argv);
