import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './spawn-tsx.js';

/** One command of the walkthrough and what its comment says the answer is. */
interface Step {
  readonly command: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Members the body has (a subset: a README shows what matters). */
  readonly body: unknown;
}

/**
 * The walkthrough of the HTTP example's README: each `curl` line (with its `\` continuations) and the `# → <status>
 * [<header>: <value>]… [<JSON>]` comment after it.
 */
const walkthrough = (readme: string): Step[] => {
  const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  if (!block) throw new Error('the README has no walkthrough block between <!-- walkthrough:start --> and <!-- walkthrough:end -->');
  const lines = block[1]!.split('\n');
  const steps: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('curl ')) continue;
    let command = lines[i]!;
    while (command.endsWith('\\')) command = `${command.slice(0, -1)}${lines[++i]!.trim()}`;
    const expected = /^# → (\d{3})(.*)$/.exec(lines[i + 1] ?? '');
    if (!expected) throw new Error(`README walkthrough: "${command.slice(0, 60)}…" has no "# → <status>" line after it`);
    const rest = expected[2]!.trim();
    const json = rest.indexOf('{');
    const headerText = json === -1 ? rest : rest.slice(0, json);
    const headers = Object.fromEntries([...headerText.matchAll(/([a-z-]+): ("[^"]*"|\S+)/g)].map((match) => [match[1]!, match[2]!]));
    steps.push({ command, status: Number(expected[1]), headers, body: json === -1 ? undefined : JSON.parse(rest.slice(json)) });
  }
  return steps;
};

/** Splits `curl -i` output into its status, headers (lower-case names) and body. */
const parseResponse = (output: string) => {
  const [head, ...body] = output.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head!.split('\r\n');
  return {
    status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine!)?.[1]),
    headers: Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()])),
    body: body.join('\r\n\r\n'),
  };
};

describe('the README walkthrough of the HTTP example', () => {
  const steps = walkthrough(readFileSync(join(repoRoot, 'examples/http-service/README.md'), 'utf8'));
  let dir: string;
  let child: ChildProcessWithoutNullStreams;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-http-readme-'));
    // main.ts on a fresh database, as the README says.
    child = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', 'tsx', 'examples/http-service/main.ts'], {
      cwd: repoRoot, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLUSTERCONF_HTTP_DB: join(dir, 'service.sqlite') },
    });
    let output = '';
    base = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /service on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.on('exit', (code) => reject(new Error(`main.ts exited with ${code} before listening:\n${output}`)));
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the steps a reader needs: the conditional write, the refusals, the reads', () => {
    expect(steps.length).toBeGreaterThanOrEqual(15);
    expect(steps.map((step) => step.status)).toEqual(expect.arrayContaining([200, 201, 400, 409, 412]));
  });

  it('answers each curl line, run as written in order, as its comment says', () => {
    for (const step of steps) {
      const run = spawnSync('sh', ['-c', step.command], { env: { ...process.env, BASE: base }, encoding: 'utf8', timeout: 30_000 });
      expect(run.status, `${step.command}\n${run.stderr}`).toBe(0);
      const answer = parseResponse(run.stdout);
      const context = `${step.command}\nanswered ${run.stdout}`;
      expect(answer.status, context).toBe(step.status);
      for (const [name, value] of Object.entries(step.headers)) expect(answer.headers[name], context).toContain(value);
      if (step.body !== undefined) expect(JSON.parse(answer.body), context).toMatchObject(step.body as object);
    }
  });
});
