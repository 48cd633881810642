export * from './conference-service.js';
