/**
 * `npm run bench`: builds the packages, then runs every suite in bench/suites (or those whose file names are given on
 * the command line) against the built `dist/`, each in a fresh Node process so that its peak RSS is its own; prints
 * each row beside its raw floor, writes bench/results/latest.json and refreshes the README table between the markers.
 * BENCH_SCALE (default 1) scales the event counts down for a quick look; only full-scale runs of every suite update
 * the README.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROWS_MARKER, type BenchRow } from './bench-row.js';

const here = dirname(fileURLToPath(import.meta.url));
const scale = Number(process.env.BENCH_SCALE ?? '1');
const wanted = process.argv.slice(2);

const formatRow = (r: BenchRow): string =>
  `| ${r.benchmark} | ${r.backend} | ${r.events.toLocaleString('en')} | ${r.eventsPerSecond.toLocaleString('en')} | ` +
  `${r.floorEventsPerSecond.toLocaleString('en')} | ${r.ratio.toFixed(2)} | ${r.target === undefined ? '' : `≥ ${r.target}`} | ` +
  `${r.roundRatios ? `${Math.min(...r.roundRatios).toFixed(2)}–${Math.max(...r.roundRatios).toFixed(2)}` : ''} | ` +
  `${r.peakRssMb} |${r.note ? ` ${r.note}` : ''}`;

const table = (rows: readonly BenchRow[]): string =>
  [
    '| benchmark | backend | events | events/s | floor events/s | ratio | target | rounds | peak RSS MB | note',
    '|---|---|---:|---:|---:|---:|---|---|---:|---',
    ...rows.map(formatRow),
  ].join('\n');

/**
 * Builds the packages first: suites measure the library as published (`dist/`, plain tsc output), not the sources
 * through tsx, whose esbuild transform wraps every named closure in a `__name` call each time it is created.
 */
const buildPackages = (): void => {
  execFileSync(process.execPath, [join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(here, '..', 'tsconfig.build.json')], { stdio: 'inherit' });
};

/** Runs one suite file in its own process and returns its rows; the suite's own output passes through. */
const runSuite = (file: string): Promise<BenchRow[]> =>
  new Promise((resolve, reject) => {
    // Without the `@clusterconf/source` condition, `@clusterconf/*` resolves to the built `dist/`.
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, 'run-suite.ts'), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let rows: BenchRow[] | undefined;
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(ROWS_MARKER)) rows = (JSON.parse(line.slice(ROWS_MARKER.length)) as { rows: BenchRow[] }).rows;
        else console.log(line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && rows !== undefined ? resolve(rows) : reject(new Error(`benchmark suite ${file} exited with code ${code} before reporting its rows`)),
    );
  });

const main = async (): Promise<void> => {
  const files = (await readdir(join(here, 'suites')))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
    .sort();
  buildPackages();
  const rows: BenchRow[] = [];
  for (const file of files) {
    console.log(`\n== ${file.replace(/\.ts$/, '')} (scale ${scale})`);
    const suiteRows = await runSuite(join(here, 'suites', file));
    for (const r of suiteRows) console.log(formatRow(r));
    rows.push(...suiteRows);
  }
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'latest.json'), `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`\n${table(rows)}\n\nwrote bench/results/latest.json (${rows.length} rows)`);
  if (scale === 1 && wanted.length === 0) {
    const readmePath = join(here, '..', 'README.md');
    const readme = await readFile(readmePath, 'utf8');
    const marked = /(<!-- bench:start -->\n)[\s\S]*?(\n<!-- bench:end -->)/;
    if (marked.test(readme)) {
      const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}.`;
      await writeFile(readmePath, readme.replace(marked, `$1${stamp}\n\n${table(rows)}$2`));
      console.log('updated the benchmark table in README.md');
    }
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
