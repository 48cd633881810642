import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { commandReply, decodeCommandBody, refusalStatus } from './command-replies.js';
import { ConferenceErrors } from '@clusterconf/domain';
import { matchRoute, type RouteRequest } from './routes.js';

const names = { commands: ['cast-vote'], readModels: ['attendance'] };
const route = (method: string, url: string, consistencyPosition?: string) =>
  matchRoute({ method, url, consistencyPosition } satisfies RouteRequest, names);

describe('routing', () => {
  it('maps paths to routes and reads ?after=, the Consistency-Position header, ?limit= and ?afterId=', () => {
    expect(route('POST', '/commands/cast-vote')).toEqual(E.right({ kind: 'command', command: 'cast-vote' }));
    expect(route('GET', '/read-models/attendance/ecc%2D2020?after=12')).toEqual(
      E.right({ kind: 'read-document', readModel: 'attendance', id: 'ecc-2020', after: { commit: 12n, prepare: 12n } }),
    );
    expect(route('GET', '/read-models/attendance/ecc2020', '30/20')).toMatchObject({ right: { after: { commit: 30n, prepare: 20n } } });
    expect(route('GET', '/read-models/attendance?limit=5&afterId=b')).toEqual(
      E.right({ kind: 'list-documents', readModel: 'attendance', after: undefined, afterId: 'b', limit: 5 }),
    );
  });

  it('refuses unknown names with 404, wrong methods with 405 and Allow, and malformed queries with 400', () => {
    expect(route('POST', '/commands/cancel')).toMatchObject({ left: { status: 404 } });
    expect(route('GET', '/read-models/speakers/x')).toMatchObject({ left: { status: 404 } });
    expect(route('GET', '/read-models/attendance/a/b')).toMatchObject({ left: { status: 404 } });
    expect(route('GET', '/read-models/attendance/%E0%A4%A')).toMatchObject({ left: { status: 404 } });
    expect(route('PUT', '/commands/cast-vote')).toMatchObject({ left: { status: 405, headers: { allow: 'POST' } } });
    expect(route('DELETE', '/read-models/attendance/x')).toMatchObject({ left: { status: 405, headers: { allow: 'GET' } } });
    expect(route('GET', '/read-models/attendance/x?after=-1')).toMatchObject({ left: { status: 400 } });
    expect(route('GET', '/read-models/attendance?limit=1001')).toMatchObject({ left: { status: 400 } });
  });
});

describe('command bodies and replies', () => {
  it('collects one problem per wrong field', () => {
    const decoded = decodeCommandBody('cast-vote', JSON.stringify({ conferenceId: 'ecc2020', ballotId: 7, attendeeId: null }));
    expect(decoded).toMatchObject({
      left: {
        status: 400,
        body: {
          error: 'InvalidCommand',
          problems: ['ballotId: expected string, got 7', 'attendeeId: expected string, got null', 'candidateId: expected string, got undefined (missing)'],
        },
      },
    });
  });

  it('maps domain refusals: invalid values to 422, state conflicts to 409, with the code and data in the body', () => {
    expect(refusalStatus(ConferenceErrors.invalidCountry('country', 'XX'))).toBe(422);
    expect(refusalStatus(ConferenceErrors.alreadyVoted('b', 'a', 'c'))).toBe(409);
    expect(refusalStatus(ConferenceErrors.conferenceNotScheduled('c'))).toBe(409);
    expect(commandReply(E.left(ConferenceErrors.ballotAlreadyClosed('vote-1')))).toEqual({
      status: 409,
      body: { error: 'BallotAlreadyClosed', ballotId: 'vote-1', message: 'Ballot "vote-1" is already closed; nothing to do' },
    });
  });

  it('answers a write with its position as a string, in the body and the Consistency-Position header', () => {
    const reply = commandReply(E.right({ events: [{ type: 'VoteCast', data: {} }], position: { commit: 9007199254740993n, prepare: 9007199254740993n } }));
    expect(reply).toEqual({
      status: 201,
      body: { position: '9007199254740993', events: ['VoteCast'] },
      headers: { 'consistency-position': '9007199254740993' },
    });
  });

  it('answers a command that changed nothing with 200 and the position its decision saw, or null on an empty stream', () => {
    expect(commandReply(E.right({ events: [], position: { commit: 7n, prepare: 7n } }))).toEqual({
      status: 200, body: { position: '7', events: [] }, headers: { 'consistency-position': '7' },
    });
    expect(commandReply(E.right({ events: [], position: undefined }))).toEqual({ status: 200, body: { position: null, events: [] } });
  });
});
