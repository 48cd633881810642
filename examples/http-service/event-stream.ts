import type { ServerResponse } from 'node:http';

/** Options of `openEventStream`. */
export interface EventStreamOptions {
  /** A comment line this often keeps proxies from timing the stream out and finds clients that went away. */
  readonly heartbeatMs: number;
  /** How long the browser waits before it reconnects after the stream ends (the `retry:` field). */
  readonly retryMs: number;
  /** A client this far behind (bytes written but not yet sent) is cut off rather than buffered without end. */
  readonly maxBufferedBytes: number;
}

/** A `text/event-stream` answer being written. */
export interface EventStream {
  /** Writes one event; does nothing once the stream has ended. */
  send(event: string, data: unknown, id?: string): void;
  /** Ends the stream; the browser reconnects after `retryMs`. */
  end(): void;
  /** Resolves when the stream is over, whoever ended it: `end()`, the client going away, or a cut-off. */
  readonly ended: Promise<void>;
}

/** One server-sent event in the wire format: data is JSON, so it holds no line break. Pure. */
export const formatEvent = (event: string, data: unknown, id?: string): string =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Starts a stream of server-sent events on a response the caller owns (a hijacked Fastify reply). The heartbeat is
 * cleared when the stream ends for any reason, so a client that disconnects leaves no timer behind.
 */
export const openEventStream = (response: ServerResponse, options: EventStreamOptions): EventStream => {
  let open = true;
  const write = (text: string): void => {
    if (!open || response.destroyed) return;
    response.write(text);
    if (response.writableLength > options.maxBufferedBytes) response.destroy();
  };
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  write(`retry: ${options.retryMs}\n\n`);
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), options.heartbeatMs);
  const ended = new Promise<void>((resolve) => {
    response.once('close', () => {
      open = false;
      clearInterval(heartbeat);
      resolve();
    });
  });
  return {
    send: (event, data, id) => write(formatEvent(event, data, id)),
    end: () => {
      if (open) response.end();
    },
    ended,
  };
};
