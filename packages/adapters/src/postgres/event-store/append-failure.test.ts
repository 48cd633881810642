import { describe, expect, it } from 'vitest';
import { InvalidEventError, serializeEvents } from '@clusterconf/domain';
import { eventIdCollisionError, isEventIdCollision } from './append-failure.js';

const id = (n: number) => `0190a0b0-0000-7000-8000-00000000000${n}`;
const event = (type: string, eventId: string) => ({
  type,
  data: {},
  metadata: { eventId, occurredAt: '2020-11-23T09:00:00.000Z', correlationId: 'c', causationId: 'k', schemaVersion: 1 },
});
const batch = serializeEvents('s', [event('First', id(1)), event('Second', id(2).toUpperCase())]);
const databaseError = (fields: Record<string, string>) => Object.assign(new Error(fields.message ?? 'failed'), fields);

describe('isEventIdCollision', () => {
  it('is a unique violation on the event-id key or a deadlock, and nothing else', () => {
    expect(isEventIdCollision(databaseError({ code: '23505', constraint: 'events_event_id_key' }))).toBe(true);
    expect(isEventIdCollision(databaseError({ code: '40P01' }))).toBe(true);
    expect(isEventIdCollision(databaseError({ code: '23505', constraint: 'events_stream_revision_key' }))).toBe(false);
    expect(isEventIdCollision(databaseError({ code: '57P01' }))).toBe(false);
    expect(isEventIdCollision(undefined)).toBe(false);
  });
});

describe('eventIdCollisionError', () => {
  it('names the id PostgreSQL reported (in any case) and its event type', () => {
    const cause = databaseError({
      code: '23505',
      constraint: 'events_event_id_key',
      detail: `Key (event_id)=(${id(2)}) already exists.`,
      message: 'duplicate key value violates unique constraint "events_event_id_key"',
    });
    const error = eventIdCollisionError('s', batch, cause);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ code: 'INVALID_EVENT', streamId: 's', eventType: 'Second', cause });
    expect(error.message).toContain(`collided on eventId ${id(2)} after its retries`);
    expect(error.message).toMatch(/give every event its own id/);
  });

  it('explains a deadlock as a concurrent append sharing eventIds', () => {
    const error = eventIdCollisionError('s', batch, databaseError({ code: '40P01', message: 'deadlock detected' }));
    expect(error).toMatchObject({ eventType: 'First' });
    expect(error.message).toMatch(/deadlocked with a concurrent append over shared eventIds after its retries \(PostgreSQL: deadlock detected\)/);
  });
});
