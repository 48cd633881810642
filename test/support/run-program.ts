import { spawn } from 'node:child_process';

/** What a finished program left: its exit code (null when a signal ended it) and everything it printed. */
export interface ProgramResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of `runProgram`. */
export interface RunProgramOptions {
  readonly cwd: string;
  /** The child's whole environment. */
  readonly env: NodeJS.ProcessEnv;
  /** Far above what the program needs, so only a hung one reaches it: it is then killed and its output returned. */
  readonly timeoutMs: number;
}

/** Runs a program to its end without a shell and collects its output; a hung one fails with everything it printed. */
export const runProgram = (command: string, args: readonly string[], options: RunProgramOptions): Promise<ProgramResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n[killed: still running after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
