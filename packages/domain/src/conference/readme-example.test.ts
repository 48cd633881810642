import { it } from 'vitest';
import { given } from '../testing/index.js';
import { conferenceEventOf } from './event-of.js';
import { voteDecider } from './vote-decider.js';

// The test-kit example of packages/domain/README.md, kept compiling and passing.
it('runs the README test-kit example', () => {
  const view = { conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', attendeeRegistered: true,
    status: 'open', candidateIds: ['uwe-pfeil', 'candidate-b'] } as const;
  const cast = (candidateId: string) =>
    ({ type: 'CastVote', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', candidateId, ballot: view }) as const;
  const decoded = conferenceEventOf('VoteCast', { conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', candidateId: 'uwe-pfeil' });
  if (decoded._tag === 'Left') throw decoded.left;
  const voted = decoded.right;

  given(voteDecider).when(cast('uwe-pfeil')).thenEvents([voted]);
  given(voteDecider, [voted]).when(cast('uwe-pfeil')).thenEvents([]); // a repeated identical vote appends nothing
  given(voteDecider, [voted]).when(cast('candidate-b')).thenError((error) => error.code === 'AlreadyVoted');
});
