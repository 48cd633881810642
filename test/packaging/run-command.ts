import { runProgram, type ProgramResult } from '../support/run-program.js';

/** What a finished command left: its exit code (null when a signal ended it) and everything it printed. */
export type CommandResult = ProgramResult;

/**
 * The environment without what `npm test` or a developer's shell may add: npm reads every `npm_config_*` variable as
 * its own configuration, so a child npm would otherwise inherit the monorepo's workspace settings and prefix; and a
 * NODE_OPTIONS with `--conditions=@clusterconf/source` would make node resolve sources no installed package has.
 */
export const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD' && name !== 'NODE_OPTIONS'));

/** Runs a program to its end without a shell, in the clean environment, and collects its output. */
export const runCommand = (command: string, args: readonly string[], cwd: string): Promise<CommandResult> =>
  // An install from the cache, a build or the consumer's vitest: minutes at the very most.
  runProgram(command, args, { cwd, env: cleanEnv(), timeoutMs: 600_000 });

/** The command line and its output, for an assertion's message. */
export const describeRun = (command: string, args: readonly string[], result: CommandResult): string =>
  `${command} ${args.join(' ')} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

/** Runs a program and throws, with its output, unless it exits 0. */
export const runOrThrow = async (command: string, args: readonly string[], cwd: string): Promise<CommandResult> => {
  const result = await runCommand(command, args, cwd);
  if (result.code !== 0) throw new Error(describeRun(command, args, result));
  return result;
};
