import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram, type ProgramResult } from '../support/run-program.js';

/** The repository root, where `npm start` and the CLI run from. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** How long one child may run: far above what any needs (a few seconds), so only a hung child reaches it. */
const CHILD_TIMEOUT_MS = 90_000;

/** What a finished child process left behind. */
export type ProcessResult = ProgramResult;

/** Runs a TypeScript entry the way the repository does: node with the source condition and tsx. */
export const runTypeScript = (entry: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> =>
  runNode(['--conditions=@clusterconf/source', '--import', 'tsx', entry, ...args], env, repoRoot);

/**
 * Runs the installed command, `packages/cli/bin/clusterconf.js` (which starts the sources through tsx in a checkout),
 * in `cwd`, as a user runs `npx clusterconf` in their project.
 */
export const runBin = (args: readonly string[], options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }): Promise<ProcessResult> =>
  runNode([join(repoRoot, 'packages/cli/bin/clusterconf.js'), ...args], options.env ?? {}, options.cwd);

const runNode = (nodeArgs: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<ProcessResult> =>
  runProgram(process.execPath, nodeArgs, {
    cwd,
    env: { ...process.env, CLUSTERCONF_STORE: undefined, CLUSTERCONF_DATA_DIR: undefined, ...env },
    timeoutMs: CHILD_TIMEOUT_MS,
  });

/** Runs `clusterconf <args>` from the sources. */
export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> =>
  runTypeScript('packages/cli/src/main.ts', args, env);

/** Runs the ECC 2020 example, as `npm start` does, against `CLUSTERCONF_DATA_DIR` or `CLUSTERCONF_STORE` in env. */
export const runExample = (env: NodeJS.ProcessEnv): Promise<ProcessResult> => runTypeScript('examples/ecc2020/main.ts', [], env);
