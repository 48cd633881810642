import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { defineEvent } from '../kernel/event-registry.js';
import { conferenceEventOf, createEventOf } from './event-of.js';

// Version 1 had `title`; version 2 renamed it to `name`, with an upcaster for stored version-1 payloads.
const Renamed = defineEvent('Renamed', t.type({ name: t.string }), {
  schemaVersion: 2,
  upcasters: [{ fromVersion: 1, upcast: (data) => ({ name: (data as { title?: unknown }).title }) }],
});

describe('conferenceEventOf and createEventOf', () => {
  it('decode plain data at the definition\'s current schema version, so no upcaster rewrites current-shape data', () => {
    const renamedOf = createEventOf([Renamed]);
    expect(renamedOf('Renamed', { name: 'Plenary' })).toEqual(E.right({ type: 'Renamed', data: { name: 'Plenary' } }));
    // Data of the old shape is not what this code writes, and is refused rather than upcast.
    expect(E.isLeft(renamedOf('Renamed', { title: 'Plenary' }))).toBe(true);
  });

  it('build a conference event, and name the bad path otherwise', () => {
    const data = { conferenceId: 'ecc2020', sessionId: 'ecmy-vote' };
    expect(conferenceEventOf('BallotClosed', data)).toEqual(E.right({ type: 'BallotClosed', data }));
    const bad = conferenceEventOf('BallotClosed', { ...data, sessionId: 'Bad Id' });
    expect(E.isLeft(bad) && bad.left.message).toContain('sessionId: expected SessionId');
  });
});
