import type { IncomingMessage } from 'node:http';

/** A request body as read from the socket: its text, or why there is none. */
export type RequestBody =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'too-large'; readonly limit: number }
  | { readonly kind: 'not-utf8' }
  /** The client went away before sending the whole body: there is no one left to answer. */
  | { readonly kind: 'aborted' };

/** Past this many bytes over the limit, a too-large body is no longer drained: the connection is dropped instead. */
const DRAIN_CAP = 1024 * 1024;

/**
 * Reads a body of at most `limit` bytes. A larger body is drained (up to `DRAIN_CAP` more bytes) before the caller
 * answers 413, because a client still sending would otherwise see a reset instead of the answer.
 */
export const readRequestBody = (request: IncomingMessage, limit: number): Promise<RequestBody> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (bytes > limit + DRAIN_CAP) request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    // After 'end' this resolves nothing new: a promise settles once.
    request.on('close', () => resolve(tooLarge ? { kind: 'too-large', limit } : { kind: 'aborted' }));
    request.on('end', () => {
      if (tooLarge) return resolve({ kind: 'too-large', limit });
      try {
        resolve({ kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) });
      } catch {
        resolve({ kind: 'not-utf8' });
      }
    });
  });

/** True when a `Content-Type` header (if any) names JSON: `application/json` or a `+json` type. */
export const isJsonContentType = (header: string | undefined): boolean => {
  if (header === undefined) return true;
  const media = header.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
};
