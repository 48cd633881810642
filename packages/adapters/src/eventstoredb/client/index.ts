export * from './client-seam.js';
export * from './connection-string.js';
export { type ClientPackage } from './client-package.js';
export * from './client-package-unavailable-error.js';
