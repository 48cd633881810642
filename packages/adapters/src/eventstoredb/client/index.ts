export * from './client-seam.js';
export * from './connection-string.js';
