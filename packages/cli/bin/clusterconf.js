#!/usr/bin/env node
// The `clusterconf` command. In a source checkout (src/ present, as in this monorepo) it runs the TypeScript
// sources through tsx with the @clusterconf/source condition, so no build is needed; an installed package has only
// dist/ and runs the compiled JavaScript.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));

if (existsSync(source)) {
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', tsx, source, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
} else {
  await import('../dist/main.js');
}
