import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ballotView, conferenceDecider, conferenceEventOf, tallyVotes, voteDecider, type ConferenceCommand, type ConferenceEvent,
  type ConferenceStreamEvent, type VoteCast,
} from '@clusterconf/domain';
import { given } from '@clusterconf/domain/testing';
import type { ReadModelStore } from '@clusterconf/projections';
import { givenEvents, projectEvents } from '@clusterconf/projections/testing';
import { votesPerCountryId, votesPerCountryProjection, type VotesPerCountryDocument } from './votes-per-country.js';

const NAMESPACE = votesPerCountryProjection.namespace;

/** A decoded conference event from plain data. */
const ev = <Type extends ConferenceEvent['type']>(type: Type, data: unknown): Extract<ConferenceEvent, { type: Type }> => {
  const decoded = conferenceEventOf(type, data);
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
};

const registered = (attendeeId: string, country: string) =>
  ev('AttendeeRegistered', { conferenceId: 'ecc2020', attendeeId, name: `Attendee ${attendeeId}`, country, stakeholderGroup: 'research' });
const opened = (ballotId: string) =>
  ev('SessionOpened', {
    conferenceId: 'ecc2020', sessionId: ballotId, title: `Vote ${ballotId}`, day: '2020-11-24', openers: [{ name: 'Chair', role: 'host' }],
    ballot: {
      awardId: `${ballotId}-award`,
      candidates: ['alpha', 'beta', 'gamma'].map((candidateId) => ({ candidateId, name: candidateId, affiliation: 'Cluster' })),
    },
  });
const voted = (ballotId: string, attendeeId: string, candidateId: string) => ev('VoteCast', { conferenceId: 'ecc2020', ballotId, attendeeId, candidateId });
const closed = (ballotId: string) => ev('BallotClosed', { conferenceId: 'ecc2020', sessionId: ballotId });

const documentOf = (store: ReadModelStore, ballotId: string) =>
  store.readDocument<VotesPerCountryDocument>(NAMESPACE, 'ballots', votesPerCountryId('ecc2020', ballotId));

/** A ballot's document: nothing counted yet unless `counts` says otherwise. */
const ballotDocument = (ballotId: string, counts: Partial<VotesPerCountryDocument> = {}): VotesPerCountryDocument => ({
  conferenceId: 'ecc2020', ballotId, closed: false, countries: {}, counted: 0, unattributed: 0, late: 0, ...counts,
});

describe('votes per country', () => {
  it('joins each vote with its voter\'s country and reports votes after the close as late', async () => {
    await givenEvents(votesPerCountryProjection, [
      registered('ana', 'DE'), registered('bo', 'FR'), registered('cy', 'DE'), registered('dan', 'IT'),
      opened('vote-1'),
      voted('vote-1', 'ana', 'alpha'), voted('vote-1', 'bo', 'alpha'), voted('vote-1', 'cy', 'beta'),
      closed('vote-1'),
      voted('vote-1', 'dan', 'alpha'),
    ]).thenDocuments('ballots', {
      [votesPerCountryId('ecc2020', 'vote-1')]: ballotDocument('vote-1', { closed: true, countries: { DE: { alpha: 1, beta: 1 }, FR: { alpha: 1 } }, counted: 3, late: 1 }),
    });
  });

  it('counts an attendee once per ballot, and keeps ballots apart', async () => {
    await givenEvents(votesPerCountryProjection, [
      registered('ana', 'DE'), opened('vote-1'), opened('vote-2'),
      voted('vote-1', 'ana', 'alpha'), voted('vote-1', 'ana', 'beta'), voted('vote-2', 'ana', 'gamma'),
    ]).thenDocuments('ballots', {
      [votesPerCountryId('ecc2020', 'vote-1')]: ballotDocument('vote-1', { countries: { DE: { alpha: 1 } }, counted: 1 }),
      [votesPerCountryId('ecc2020', 'vote-2')]: ballotDocument('vote-2', { countries: { DE: { gamma: 1 } }, counted: 1 }),
    });
  });

  it('carries on across batches, as the runner resumes from a checkpoint', async () => {
    await givenEvents(votesPerCountryProjection, [registered('ana', 'PL'), opened('vote-1')])
      .andEvents([voted('vote-1', 'ana', 'beta')])
      .thenDocument('ballots', votesPerCountryId('ecc2020', 'vote-1'), ballotDocument('vote-1', { countries: { PL: { beta: 1 } }, counted: 1 }));
  });
});

describe('votes per country over a history the deciders wrote (the decider test kit)', () => {
  // The conference stream's history grows command by command; each step is checked with given/when/then.
  const decideConference = (history: ConferenceStreamEvent[], command: ConferenceCommand): ConferenceStreamEvent[] => {
    const { decision } = given(conferenceDecider, history).when(command);
    if (E.isLeft(decision)) throw new Error(decision.left.message);
    return [...history, ...decision.right];
  };
  const castVote = (history: readonly ConferenceStreamEvent[], attendeeId: string, candidateId: string) =>
    given(voteDecider).when({
      type: 'CastVote', conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId, candidateId,
      ballot: ballotView(given(conferenceDecider, history).state(), 'ecc2020', 'award-vote', attendeeId),
    });

  let conference: ConferenceStreamEvent[] = [];
  conference = decideConference(conference, { type: 'ScheduleConference', conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-24'], capacity: null, organisers: ['EC'] });
  for (const [attendeeId, country] of [['ana', 'DE'], ['bo', 'FR'], ['cy', 'DE'], ['dan', 'SE']] as const) {
    conference = decideConference(conference, { type: 'RegisterAttendee', conferenceId: 'ecc2020', attendeeId, name: attendeeId, country, stakeholderGroup: 'business' });
  }
  conference = decideConference(conference, {
    type: 'OpenSession', conferenceId: 'ecc2020', sessionId: 'award-vote', title: 'Award vote', day: '2020-11-24', openers: [{ name: 'Chair', role: 'host' }],
    ballot: { awardId: 'cluster-award', candidates: [{ candidateId: 'alpha', name: 'Alpha', affiliation: 'A' }, { candidateId: 'beta', name: 'Beta', affiliation: 'B' }] },
  });

  const decidedVote = (attendeeId: string, candidateId: string, history = conference): VoteCast => {
    const spec = castVote(history, attendeeId, candidateId);
    const expected = voted('award-vote', attendeeId, candidateId);
    spec.thenEvents([expected]);
    return expected;
  };

  it('counts the votes the vote decider accepted, per country', async () => {
    const votes = [decidedVote('ana', 'alpha'), decidedVote('bo', 'beta'), decidedVote('cy', 'alpha')];
    const close = decideConference(conference, { type: 'CloseBallot', conferenceId: 'ecc2020', sessionId: 'award-vote' });
    // After the close the decider refuses a vote, so it never reaches the log.
    castVote(close, 'dan', 'beta').thenError((error) => error.code === 'BallotNotOpen');

    const log = [...conference, ...votes, ...close.slice(conference.length)];
    await givenEvents(votesPerCountryProjection, log).thenDocument('ballots', votesPerCountryId('ecc2020', 'award-vote'),
      ballotDocument('award-vote', { closed: true, countries: { DE: { alpha: 2 }, FR: { beta: 1 } }, counted: 3 }));
  });

  it('lets the log decide a vote that raced the close: accepted while open, appended after BallotClosed, it is late', async () => {
    const racing = decidedVote('dan', 'beta');
    const close = decideConference(conference, { type: 'CloseBallot', conferenceId: 'ecc2020', sessionId: 'award-vote' });
    const log = [...close, racing];
    await givenEvents(votesPerCountryProjection, log).thenDocument('ballots', votesPerCountryId('ecc2020', 'award-vote'),
      ballotDocument('award-vote', { closed: true, late: 1 }));
    expect(tallyVotes(log, 'ecc2020', 'award-vote').late).toHaveLength(1);
  });
});

describe('votes per country, property: it agrees with the domain\'s tallyVotes', () => {
  const countries = ['DE', 'FR', 'IT', 'PL', 'SE'] as const;
  const ballots = ['vote-1', 'vote-2'] as const;
  const candidates = ['alpha', 'beta', 'gamma'] as const;
  type Action = { kind: 'vote'; attendee: number; ballot: string; candidate: string } | { kind: 'close'; ballot: string };
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('vote' as const), attendee: fc.nat(11), ballot: fc.constantFrom(...ballots), candidate: fc.constantFrom(...candidates) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), ballot: fc.constantFrom(...ballots) }) },
  );
  const history = fc.record({
    homes: fc.array(fc.constantFrom(...countries), { minLength: 12, maxLength: 12 }),
    actions: fc.array(action, { maxLength: 60 }),
  });
  const toEvent = (step: Action): ConferenceEvent => (step.kind === 'close' ? closed(step.ballot) : voted(step.ballot, `a${step.attendee}`, step.candidate));
  const blank: VotesPerCountryDocument = { conferenceId: 'ecc2020', ballotId: '', closed: false, countries: {}, counted: 0, unattributed: 0, late: 0 };
  const total = (votes: { readonly [candidateId: string]: number } | undefined): number => Object.values(votes ?? {}).reduce((a, b) => a + b, 0);

  const sums = (document: VotesPerCountryDocument) => {
    const perCandidate = new Map<string, number>();
    for (const votes of Object.values(document.countries)) {
      for (const [candidateId, count] of Object.entries(votes)) perCandidate.set(candidateId, (perCandidate.get(candidateId) ?? 0) + count);
    }
    return perCandidate;
  };

  it('with every registration before the votes (as the domain writes it): per-country totals sum to each candidate\'s counted votes', async () => {
    await fc.assert(
      fc.asyncProperty(history, async ({ homes, actions }) => {
        const events: ConferenceEvent[] = [...homes.map((country, i) => registered(`a${i}`, country)), ...ballots.map(opened), ...actions.map(toEvent)];
        const store = await projectEvents(votesPerCountryProjection, events);
        for (const ballotId of ballots) {
          const tally = tallyVotes(events, 'ecc2020', ballotId);
          const document = (await documentOf(store, ballotId)) ?? blank;
          expect(document).toMatchObject({ counted: tally.counted, late: tally.late.length, unattributed: 0, closed: tally.closed });
          const perCandidate = sums(document);
          for (const entry of tally.tally) expect(perCandidate.get(entry.candidateId) ?? 0).toBe(entry.votes);
          expect([...perCandidate.values()].reduce((a, b) => a + b, 0)).toBe(tally.counted);
          // Each country's share is the counted votes of the attendees living there.
          for (const country of countries) {
            const fromCountry = total(document.countries[country]);
            const counted = new Set<string>();
            let closedYet = false;
            for (const event of events) {
              if (event.type === 'BallotClosed' && event.data.sessionId === ballotId) closedYet = true;
              if (event.type === 'VoteCast' && event.data.ballotId === ballotId && !closedYet && homes[Number(event.data.attendeeId.slice(1))] === country) {
                counted.add(event.data.attendeeId);
              }
            }
            expect(fromCountry).toBe(counted.size);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('with registrations anywhere in the log: attributed plus unattributed votes still sum to the counted votes', async () => {
    let sawUnattributed = false;
    await fc.assert(
      fc.asyncProperty(history, fc.array(fc.nat(70), { minLength: 12, maxLength: 12 }), async ({ homes, actions }, slots) => {
        // Registration i goes in before the slots[i]-th other event (or at the end), so votes may precede it.
        const rest: ConferenceEvent[] = [...ballots.map(opened), ...actions.map(toEvent)];
        const events: ConferenceEvent[] = [];
        for (let index = 0; index <= rest.length; index++) {
          homes.forEach((country, i) => {
            if (Math.min(slots[i]!, rest.length) === index) events.push(registered(`a${i}`, country));
          });
          if (index < rest.length) events.push(rest[index]!);
        }
        const store = await projectEvents(votesPerCountryProjection, events);
        for (const ballotId of ballots) {
          const tally = tallyVotes(events, 'ecc2020', ballotId);
          const document = await documentOf(store, ballotId);
          const attributed = document === undefined ? 0 : [...sums(document).values()].reduce((a, b) => a + b, 0);
          expect(attributed + (document?.unattributed ?? 0)).toBe(tally.counted);
          expect(document?.counted ?? 0).toBe(tally.counted);
          sawUnattributed ||= (document?.unattributed ?? 0) > 0;
        }
      }),
      // A fixed seed keeps the run reproducible, so the check below that the case occurred cannot flake.
      { numRuns: 150, seed: 2020 },
    );
    expect(sawUnattributed).toBe(true);
  });
});
