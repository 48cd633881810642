import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ConferenceErrors } from '@clusterconf/domain';
import { commandReply } from './command-replies.js';

const at = (n: bigint) => ({ commit: n, prepare: n });
const vote = { type: 'VoteCast', data: {} };

describe('command replies', () => {
  it('answers a write with its position as a string, in the body and Consistency-Position, and the new revision', () => {
    expect(commandReply(E.right({ events: [vote], position: at(9007199254740993n), revision: 4n }), '/commands/cast-vote')).toEqual({
      status: 201,
      body: { position: '9007199254740993', revision: '4', events: ['VoteCast'] },
      headers: { 'consistency-position': '9007199254740993' },
    });
  });

  it('answers a command that changed nothing with 200 and what its decision saw, or nulls on an empty stream', () => {
    expect(commandReply(E.right({ events: [], position: at(7n), revision: 2n }), '/c')).toEqual({
      status: 200, body: { position: '7', revision: '2', events: [] }, headers: { 'consistency-position': '7' },
    });
    expect(commandReply(E.right({ events: [], position: undefined, revision: undefined }), '/c')).toEqual({ status: 200, body: { position: null, revision: null, events: [] } });
  });

  it('answers refusals as problems: state conflicts 409, broken rules 422, with the domain data as members', () => {
    expect(commandReply(E.left(ConferenceErrors.alreadyVoted('vote-1', 'ana', 'alpha')), '/commands/cast-vote')).toEqual({
      status: 409,
      headers: { 'content-type': 'application/problem+json' },
      body: {
        type: '/problems/already-voted', title: 'Already voted', status: 409, instance: '/commands/cast-vote',
        detail: expect.stringContaining('a vote cannot be changed'), ballotId: 'vote-1', attendeeId: 'ana', votedFor: 'alpha',
      },
    });
    expect(commandReply(E.left(ConferenceErrors.invalidCountry('country', 'XX')), '/c').body).toMatchObject({ status: 422, type: '/problems/invalid-country', field: 'country', value: 'XX' });
    // BallotNotOpen's own `status` would hide the problem's: it is kept as domainStatus.
    expect(commandReply(E.left(ConferenceErrors.ballotNotOpen('vote-1', 'closed')), '/c').body).toMatchObject({ status: 409, domainStatus: 'closed' });
  });

  it('answers 412 when If-Match names another revision than the one the command was decided at', () => {
    const repeat = E.right({ events: [vote], position: at(9n), revision: 5n });
    // A repeat (same Idempotency-Key) was decided at revision 4, before its own event.
    expect(commandReply(repeat, '/c', { kind: 'revisions', revisions: [4n] }).status).toBe(201);
    expect(commandReply(repeat, '/c', { kind: 'revisions', revisions: [5n] })).toMatchObject({
      status: 412, body: { type: '/problems/precondition-failed', detail: expect.stringContaining('decided at revision 4'), revision: '5' },
    });
    const nothing = E.right({ events: [], position: undefined, revision: undefined });
    expect(commandReply(nothing, '/c', { kind: 'any' }).status).toBe(412);
    expect(commandReply(E.left(ConferenceErrors.conferenceNotScheduled('x')), '/c', { kind: 'any' }).status).toBe(409);
  });
});
