import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandEventId } from './command-event-id.js';
import { serializeEvents } from './event-contract.js';
import { toNewEvents } from './new-events.js';

const now = () => new Date('2020-11-10T09:00:00.250Z');
const events = [{ type: 'Opened', data: { door: 1 } }, { type: 'Closed', data: { door: 1 }, schemaVersion: 3 }];

describe('toNewEvents', () => {
  it('fills in every metadata field, with ids that follow from the stream, the command and the index', () => {
    expect(toNewEvents('door-1', events, { now, commandId: 'cmd-7' })).toEqual([
      { type: 'Opened', data: { door: 1 }, metadata: {
        eventId: commandEventId('door-1', 'cmd-7', 0), occurredAt: '2020-11-10T09:00:00.250Z', correlationId: 'cmd-7', causationId: 'cmd-7', schemaVersion: 1,
      } },
      { type: 'Closed', data: { door: 1 }, metadata: {
        eventId: commandEventId('door-1', 'cmd-7', 1), occurredAt: '2020-11-10T09:00:00.250Z', correlationId: 'cmd-7', causationId: 'cmd-7', schemaVersion: 3,
      } },
    ]);
  });

  it('carries each event\'s tags, and gives an untagged event no tags field', () => {
    const [tagged, plain] = toNewEvents('s', [{ type: 'A', data: {}, tags: ['t:1', 't:2'] }, { type: 'B', data: {}, tags: [] }], { now, commandId: 'c' });
    expect(tagged!.tags).toEqual(['t:1', 't:2']);
    expect(Object.keys(plain!)).toEqual(['type', 'data', 'metadata']);
  });

  it('takes a causation and a correlation of their own, the correlation defaulting to the causation', () => {
    const [withBoth] = toNewEvents('s', events, { now, commandId: 'c', causationId: 'event-9', correlationId: 'request-3' });
    expect(withBoth!.metadata).toMatchObject({ causationId: 'event-9', correlationId: 'request-3' });
    const [withCause] = toNewEvents('s', events, { now, causationId: 'event-9' });
    expect(withCause!.metadata).toMatchObject({ causationId: 'event-9', correlationId: 'event-9' });
  });

  it('reads the clock once for the batch', () => {
    let reads = 0;
    const ticking = () => new Date(Date.UTC(2020, 10, 10, 9, 0, reads++));
    const made = toNewEvents('s', events, { now: ticking });
    expect(reads).toBe(1);
    expect(new Set(made.map((event) => event.metadata.occurredAt))).toEqual(new Set(['2020-11-10T09:00:00.000Z']));
  });

  it('without a command id makes a fresh command of each call: new ids, one causation for the batch', () => {
    const [a, b] = toNewEvents('s', events, { now });
    const [c] = toNewEvents('s', events, { now });
    expect(a!.metadata.causationId).toBe(b!.metadata.causationId);
    expect(c!.metadata.eventId).not.toBe(a!.metadata.eventId);
  });

  it('refuses a clock that gives no valid Date, saying what to pass', () => {
    expect(() => toNewEvents('s', events, { now: () => new Date('not a date') })).toThrow(/now\(\) returned Invalid Date, not a valid Date; pass a clock/);
  });

  it('gives ids every store accepts, the same for the same command and distinct otherwise', () => {
    const key = fc.record({ stream: fc.stringMatching(/^[\w.:\- ]{1,40}$/), command: fc.string({ minLength: 1 }), index: fc.nat(50) });
    fc.assert(fc.property(key, key, (a, b) => {
      const idA = commandEventId(a.stream, a.command, a.index);
      expect(idA).toBe(commandEventId(a.stream, a.command, a.index));
      expect(idA).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const same = a.stream === b.stream && a.command === b.command && a.index === b.index;
      expect(commandEventId(b.stream, b.command, b.index) === idA).toBe(same);
      // The stores' own check, which refuses anything but a UUID before writing.
      expect(() => serializeEvents(a.stream, toNewEvents(a.stream, events, { now, commandId: a.command }))).not.toThrow();
    }));
  });
});
