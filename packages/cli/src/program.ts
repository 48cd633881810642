import { Command, CommanderError, Option } from 'commander';
import { describeError, exitCodeFor, InvalidStoreUrlError } from './cli-errors.js';
import { type CliIo, println } from './cli-io.js';
import { registerExportCommand } from './commands/export.js';
import { registerForgetCommand } from './commands/forget.js';
import { registerImportCommand } from './commands/import.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerRebuildCommand, registerReplayCommand } from './commands/replay.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerSeedCommand } from './commands/seed.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTailCommand } from './commands/tail.js';
import { maskPassword } from './store-url.js';
import { usageLine } from './usage-line.js';
import { packageVersion } from './version.js';

/** Builds the `clusterconf` command tree; `io` decides where it writes. */
export const createProgram = (io: CliIo): Command => {
  // Commander's usage errors, suggestions included, become the CLI's one line: `clusterconf: <what> (run … --help …)`.
  const output = {
    writeOut: (text: string) => io.out.write(text),
    writeErr: (text: string) => io.err.write(text),
    outputError: (text: string) => io.err.write(`clusterconf: ${usageLine(text)} (run the command with --help for usage)\n`),
  };
  const program = new Command('clusterconf')
    .description('Seed, replay, inspect, move and follow @clusterconf event stores')
    .version(packageVersion(), '-V, --version', 'print the version of @clusterconf/cli')
    .option('-c, --config <path>', 'the clusterconf.config.ts/.mts/.js/.mjs to use (default: the one in the working directory, else the built-in ecc2020 config)')
    .addOption(new Option('--progress', 'draw progress bars on stderr even when it is not a terminal, or with --json'))
    .addOption(new Option('--no-progress', 'draw no progress bars'))
    .option('--keys <url>', 'the key store of personal data: sqlite:PATH or postgres://… (default: beside the events of --store; env CLUSTERCONF_KEYS)')
    .option('--verbose', 'print stack traces of unexpected errors')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput(output);
  registerSeedCommand(program, io);
  registerReplayCommand(program, io);
  registerRebuildCommand(program, io);
  registerStatusCommand(program, io);
  registerExportCommand(program, io);
  registerImportCommand(program, io);
  registerTailCommand(program, io);
  registerForgetCommand(program, io);
  registerKeysCommand(program, io);
  registerSchemaCommand(program, io);
  // Every subcommand (and theirs: `keys export`) reports its own usage errors through the same override.
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput(output);
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  program.addHelpText('after', '\nRun `clusterconf <command> --help` for each command\'s options and an example.');
  return program;
};

/**
 * Runs the CLI on `argv` (as `process.argv`) and returns the exit code: 0 on success, 2 for usage errors, 1 for
 * everything else. Errors are one line on stderr, `clusterconf: <what and how to fix it>`.
 */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const program = createProgram(io);
  if (argv.length <= 2) {
    // Commander would print the whole help on stderr; an error is one line, and says where the help is.
    const names = program.commands.map((command) => command.name()).join(', ');
    println(io.err, `clusterconf: no command given; choose one of ${names} (run clusterconf --help for usage)`);
    return 2;
  }
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
