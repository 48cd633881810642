import { runCli } from './program.js';

// A reader that stops early (`clusterconf export | head`) closes the pipe: that is the end of the output, not an error.
// Any other failure to write it (a full disk under `> file`) is one line, like every other error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`clusterconf: cannot write to standard output (${error.code ?? 'error'}): ${error.message}; ` +
    'check where the output goes and its free space\n');
  process.exit(1);
});

// The process entry: run, then exit with the code once output is flushed (a subscription or pool may linger).
const code = await runCli(process.argv, { out: process.stdout, err: process.stderr, cwd: process.cwd(), env: process.env });
process.exitCode = code;
setTimeout(() => process.exit(code), 50).unref();
