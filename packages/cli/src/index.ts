/**
 * What the `clusterconf` command is made of, for programs that embed it: store URLs, opening stores, NDJSON export
 * and import, key stores and their export, catching projections up, and the seeded ECC 2020 history.
 *
 * @module \@clusterconf/cli
 */
export * from './catch-up.js';
export * from './cli-errors.js';
export * from './cli-io.js';
export * from './config.js';
export * from './config-check.js';
export * from './config-file.js';
export { default as ecc2020Config } from './ecc2020/ecc2020.config.js';
export * from './ecc2020/generator.js';
export * from './ecc2020/sources.js';
export * from './ecc2020/write-history.js';
export * from './key-access.js';
export * from './key-file.js';
export * from './ndjson.js';
export * from './open-store.js';
export * from './program.js';
export * from './progress.js';
export * from './progress-line.js';
export * from './projection-catalogue.js';
export * from './store-access.js';
export * from './store-url.js';
export * from './version.js';
