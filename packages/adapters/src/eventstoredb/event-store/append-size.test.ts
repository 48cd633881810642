import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTypeProblem, newEventId, serializeEvents, type NewEvent } from '@clusterconf/domain';
import { appendSizeBound, appendSizeOf } from './append-size.js';
import { toEventData } from './recorded-event.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const event: fc.Arbitrary<NewEvent> = fc
  .record({
    type: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((t) => eventTypeProblem(t) === undefined),
    data: fc.oneof(fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean())), text),
    correlationId: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    causationId: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    // Fields of the application's own; names starting with "$", the adapter's, are refused before sizing.
    extra: fc.dictionary(fc.constantFrom('note', 'userId', 'correlation'), text),
  })
  .map(({ type, data, correlationId, causationId, extra }) => {
    const eventId = newEventId();
    return { type, data, metadata: { ...extra, eventId, occurredAt: '2020-11-10T09:00:00.000Z', correlationId, causationId, schemaVersion: 1 } };
  });

describe('append size', () => {
  it('the bound from the kernel serialisation is never below the size EventStoreDB counts', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 5 }), (events) => {
        const serialized = serializeEvents('s', events);
        expect(appendSizeBound(serialized)).toBeGreaterThanOrEqual(appendSizeOf(events.map(toEventData)));
      }),
      { numRuns: 300 },
    );
  });
});
