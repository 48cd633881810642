import { PassThrough } from 'node:stream';
import type { CliIo } from './cli-io.js';
import { runCli } from './program.js';

/** An io whose output a test can read back. */
export const capture = (): { io: CliIo; text: () => { stdout: string; stderr: string } } => {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { io: { out, err, cwd: '/tmp', env: {} }, text: () => ({ stdout, stderr }) };
};

/** Runs `clusterconf <args>` in this process and returns its exit code and output. */
export const runInProcess = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const { io, text } = capture();
  const code = await runCli(['node', 'clusterconf', ...args], io);
  return { code, ...text() };
};
