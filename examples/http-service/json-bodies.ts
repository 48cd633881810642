import type { FastifyInstance } from 'fastify';
import { InvalidJsonError, NotUtf8Error } from './error-problems.js';

/** `application/json` and any `+json` type, with or without parameters (Fastify tests this against the whole header). */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Makes JSON the only body the app parses (any other media type is a 415), decoded as strict UTF-8: a lenient decoder
 * would turn bad bytes into U+FFFD and accept them. Fastify's own parser then refuses `__proto__` and
 * `constructor.prototype` keys; a body that does not parse is answered with JSON.parse's reason.
 */
export const acceptJsonBodies = (app: FastifyInstance): void => {
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body as Buffer);
    } catch {
      return done(new NotUtf8Error(), undefined);
    }
    void parseJson(request, text, (error, value) => {
      if (error === null) return done(null, value);
      let reason = 'it sets __proto__ or constructor.prototype, which this service refuses';
      try {
        JSON.parse(text);
      } catch (syntax) {
        reason = (syntax as Error).message;
      }
      done(new InvalidJsonError(reason), undefined);
    });
  });
};
