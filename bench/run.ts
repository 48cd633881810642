/**
 * `npm run bench`: runs every suite in bench/suites (or those named on the command line), prints each row beside its
 * raw floor, writes bench/results/latest.json and refreshes the table in README.md between the bench markers.
 * BENCH_SCALE (default 1) scales the event counts down for a quick look; only full-scale runs update the README.
 */
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSuite } from './bench-row.js';

const here = dirname(fileURLToPath(import.meta.url));
const scale = Number(process.env.BENCH_SCALE ?? '1');
const wanted = process.argv.slice(2);

const formatRow = (r: BenchRow): string =>
  `| ${r.benchmark} | ${r.backend} | ${r.events.toLocaleString('en')} | ${r.eventsPerSecond.toLocaleString('en')} | ` +
  `${r.floorEventsPerSecond.toLocaleString('en')} | ${r.ratio.toFixed(2)} | ${r.target === undefined ? '' : `≥ ${r.target}`} | ` +
  `${r.peakRssMb} |${r.note ? ` ${r.note}` : ''}`;

const table = (rows: readonly BenchRow[]): string =>
  [
    '| benchmark | backend | events | events/s | floor events/s | ratio | target | peak RSS MB | note',
    '|---|---|---:|---:|---:|---:|---|---:|---',
    ...rows.map(formatRow),
  ].join('\n');

const main = async (): Promise<void> => {
  const files = (await readdir(join(here, 'suites'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  const rows: BenchRow[] = [];
  for (const file of files) {
    const suite = ((await import(join(here, 'suites', file))) as { default: BenchSuite }).default;
    if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
    console.log(`\n== ${suite.name} (scale ${scale})`);
    const suiteRows = await suite.run();
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
