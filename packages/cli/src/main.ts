import { runCli } from './program.js';

// The process entry: run, then exit with the code once output is flushed (a subscription or pool may linger).
const code = await runCli(process.argv, { out: process.stdout, err: process.stderr, cwd: process.cwd(), env: process.env });
process.exitCode = code;
setTimeout(() => process.exit(code), 50).unref();
