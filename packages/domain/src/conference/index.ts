export * from './codecs.js';
export * from './countries.js';
export * from './events.js';
export * from './streams.js';
