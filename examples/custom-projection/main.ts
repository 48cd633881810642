// Runs the votes-per-country projection beside the built-in read models, over a small conference written through
// the conference service, then prints both views of the ballot. Everything is in memory; swap in SqliteEventStore
// and SqliteReadModelStore (see examples/http-service/main.ts) to keep it.
import * as E from 'fp-ts/lib/Either.js';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { conferenceEvents, createConferenceService, formatPosition, type ConferenceEvent, type Position } from '@clusterconf/domain';
import {
  MemoryReadModelStore, ballotDocumentId, ballotTalliesProjection, conferenceProjections, createProjectionRunner, type BallotTallyDocument,
} from '@clusterconf/projections';
import { votesPerCountryId, votesPerCountryProjection, type VotesPerCountryDocument } from './votes-per-country.js';

const eventStore = new MemoryEventStore();
const readModelStore = new MemoryReadModelStore();
const service = createConferenceService({ store: eventStore });
const context = () => ({ occurredAt: new Date().toISOString() });

/** Runs one command and returns the position it appended at; a refusal stops the example with its message. */
const run = async (outcome: Promise<E.Either<{ message: string }, { position: Position | undefined }>>): Promise<Position | undefined> => {
  const result = await outcome;
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right.position;
};

// The user's projection joins the built-in ones: one runner, one subscription, one checkpoint per projection.
const runner = createProjectionRunner<ConferenceEvent>({
  eventStore, readModelStore, registry: conferenceEvents, projections: [...conferenceProjections, votesPerCountryProjection],
});
await runner.start();

await run(service.scheduleConference({ conferenceId: 'ecc2020', name: 'European Cluster Conference 2020', days: ['2020-11-24'], capacity: null, organisers: ['European Commission'] }, context()));
const attendees = [['ana', 'DE'], ['bo', 'FR'], ['cy', 'DE'], ['dan', 'IT'], ['eva', 'FR'], ['fay', 'DE']] as const;
for (const [attendeeId, country] of attendees) {
  await run(service.registerAttendee({ conferenceId: 'ecc2020', attendeeId, name: attendeeId, country, stakeholderGroup: 'business' }, context()));
}
await run(service.openSession({
  conferenceId: 'ecc2020', sessionId: 'award-vote', title: 'Cluster award vote', day: '2020-11-24', openers: [{ name: 'Chair', role: 'host' }],
  ballot: { awardId: 'cluster-award', candidates: [{ candidateId: 'alpha', name: 'Alpha', affiliation: 'A' }, { candidateId: 'beta', name: 'Beta', affiliation: 'B' }] },
}, context()));
const choices = { ana: 'alpha', bo: 'beta', cy: 'alpha', dan: 'alpha', eva: 'beta' } as const;
for (const [attendeeId, candidateId] of Object.entries(choices)) {
  await run(service.castVote({ conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId, candidateId }, context()));
}
const last = await run(service.closeBallot({ conferenceId: 'ecc2020', sessionId: 'award-vote' }, context()));

// Read-your-writes: wait until every projection, ours included, has committed the last command's position.
await runner.waitFor(last!);
const perCountry = await readModelStore.readDocument<VotesPerCountryDocument>(votesPerCountryProjection.namespace, 'ballots', votesPerCountryId('ecc2020', 'award-vote'));
const tally = await readModelStore.readDocument<BallotTallyDocument>(ballotTalliesProjection.namespace, 'ballots', ballotDocumentId('ecc2020', 'award-vote'));

console.log(`log position ${formatPosition(last!)}; ballot award-vote ${perCountry?.closed ? 'closed' : 'open'}`);
for (const [country, votes] of Object.entries(perCountry?.countries ?? {})) {
  console.log(`  ${country}: ${Object.entries(votes).map(([candidate, count]) => `${candidate} ${count}`).join(', ')}`);
}
console.log(`counted ${perCountry?.counted} (the built-in tally counted ${tally?.counted}); late ${perCountry?.late}`);
await runner.stop();
