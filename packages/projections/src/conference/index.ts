export * from './agenda.js';
export * from './alliance-roster.js';
export * from './attendee-directory.js';
export * from './attendance.js';
export * from './award-roll.js';
export * from './ballot-tallies.js';
export * from './conference-projections.js';
