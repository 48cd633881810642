import { Command, CommanderError } from 'commander';
import { describeError, exitCodeFor, InvalidStoreUrlError } from './cli-errors.js';
import { type CliIo, println } from './cli-io.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommand } from './commands/import.js';
import { registerRebuildCommand, registerReplayCommand } from './commands/replay.js';
import { registerSeedCommand } from './commands/seed.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTailCommand } from './commands/tail.js';
import { cliVersion } from './package-version.js';
import { maskPassword } from './store-url.js';

/** Builds the `clusterconf` command tree; `io` decides where it writes. */
export const createProgram = (io: CliIo): Command => {
  // Commander's usage errors become the CLI's one line: `clusterconf: <what> (run … --help for usage)`.
  const output = {
    writeOut: (text: string) => io.out.write(text),
    writeErr: (text: string) => io.err.write(text),
    outputError: (text: string) => io.err.write(`clusterconf: ${text.trim().replace(/^error: /, '')} (run the command with --help for usage)\n`),
  };
  const program = new Command('clusterconf')
    .description('Seed, replay, inspect, move and follow @clusterconf event stores')
    .version(cliVersion(), '-V, --version', 'print the version of @clusterconf/cli')
    .option('--verbose', 'print stack traces of unexpected errors')
    .exitOverride()
    .configureOutput(output);
  registerSeedCommand(program, io);
  registerReplayCommand(program, io);
  registerRebuildCommand(program, io);
  registerStatusCommand(program, io);
  registerExportCommand(program, io);
  registerImportCommand(program, io);
  registerTailCommand(program, io);
  // Every subcommand reports its own usage errors through the same override.
  for (const command of program.commands) command.exitOverride().configureOutput(output);
  program.addHelpText('after', '\nRun `clusterconf <command> --help` for each command\'s options and an example.');
  return program;
};

/**
 * Runs the CLI on `argv` (as `process.argv`) and returns the exit code: 0 on success, 2 for usage errors, 1 for
 * everything else. Errors are one line on stderr, `clusterconf: <what and how to fix it>`.
 */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help / version text).
      return error.exitCode === 0 ? 0 : 2;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true;
    // A store URL error masks its own input and shows the accepted forms verbatim; everything else is masked here.
    const message = error instanceof InvalidStoreUrlError ? describeError(error) : maskPassword(describeError(error, { verbose }));
    println(io.err, `clusterconf: ${message}`);
    if (verbose && error instanceof Error && error.stack) println(io.err, maskPassword(error.stack));
    return exitCodeFor(error);
  }
};
