/**
 * Runs one benchmark suite in this process and prints its rows as one JSON line after ROWS_MARKER. bench/run.ts
 * starts one process per suite, so each suite's peak RSS is its own and not what earlier suites left behind.
 */
import type { BenchSuite } from './bench-row.js';
import { ROWS_MARKER } from './bench-row.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: run-suite.ts <suite file>');
const suite = ((await import(file)) as { default: BenchSuite }).default;
const rows = await suite.run();
process.stdout.write(`${ROWS_MARKER}${JSON.stringify({ name: suite.name, rows })}\n`);
// Suites close their stores; anything a driver left pending must not keep a finished benchmark running.
process.exit(0);
