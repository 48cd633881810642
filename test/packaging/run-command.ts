import { spawn } from 'node:child_process';

/** What a finished command left: its exit code (null when a signal ended it) and everything it printed. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment without what `npm test` or a developer's shell may add: npm reads every `npm_config_*` variable as
 * its own configuration, so a child npm would otherwise inherit the monorepo's workspace settings and prefix; and a
 * NODE_OPTIONS with `--conditions=@clusterconf/source` would make node resolve sources no installed package has.
 */
export const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD' && name !== 'NODE_OPTIONS'));

/** Runs a program to its end without a shell and collects its output. */
export const runCommand = (command: string, args: readonly string[], cwd: string): Promise<CommandResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** The command line and its output, for an assertion's message. */
export const describeRun = (command: string, args: readonly string[], result: CommandResult): string =>
  `${command} ${args.join(' ')} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

/** Runs a program and throws, with its output, unless it exits 0. */
export const runOrThrow = async (command: string, args: readonly string[], cwd: string): Promise<CommandResult> => {
  const result = await runCommand(command, args, cwd);
  if (result.code !== 0) throw new Error(describeRun(command, args, result));
  return result;
};
