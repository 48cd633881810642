import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIo } from './cli-io.js';
import { runCli } from './program.js';

/** An empty working directory, so that no stray clusterconf.config.* is found: the built-in config applies. */
const emptyDirectory = mkdtempSync(join(tmpdir(), 'clusterconf-cwd-'));

/** Where an in-process run works and what its stderr claims to be. */
export interface CaptureOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Make stderr claim to be a terminal (progress bars then draw by default). */
  readonly errIsTTY?: boolean;
}

/** An io whose output a test can read back. */
export const capture = (options: CaptureOptions = {}): { io: CliIo; text: () => { stdout: string; stderr: string } } => {
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), options.errIsTTY ? { isTTY: true, columns: 120 } : {});
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { io: { out, err, cwd: options.cwd ?? emptyDirectory, env: options.env ?? {} }, text: () => ({ stdout, stderr }) };
};

/** Runs `clusterconf <args>` in this process with `options`, and returns its exit code and output. */
export const runInProcessWith = async (options: CaptureOptions, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const { io, text } = capture(options);
  const code = await runCli(['node', 'clusterconf', ...args], io);
  return { code, ...text() };
};

/** Runs `clusterconf <args>` in this process and returns its exit code and output. */
export const runInProcess = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => runInProcessWith({}, ...args);
