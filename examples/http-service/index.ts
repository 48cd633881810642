export * from './command-replies.js';
export * from './command-requests.js';
export * from './conference-http-service.js';
export * from './http-reply.js';
export * from './read-model-catalogue.js';
export * from './request-body.js';
export * from './routes.js';
