// A program written the way a user of the published packages writes one: it imports @clusterconf/* by their
// package names, and test/packaging/pack-and-install.test.ts compiles it against the installed declarations (without
// the @clusterconf/source condition) and runs it with plain node. It appends a small conference to a SQLite event
// store, runs a built-in projection and one of its own to read models in the same file, and prints what it queried
// as one JSON line. Usage: node conference-tally.js FILE.sqlite
import * as E from 'fp-ts/lib/Either.js';
import { SqliteEventStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { conferenceEvents, createConferenceService, formatPosition, type ConferenceEvent, type Position } from '@clusterconf/domain';
import {
  attendanceProjection, createProjectionRunner, createReadModelReader, defineProjection, type AttendanceDocument,
} from '@clusterconf/projections';

const path = process.argv[2];
if (path === undefined) throw new Error('give the SQLite file to write: node conference-tally.js FILE.sqlite');

interface VotesDocument {
  readonly [key: string]: unknown;
  readonly votes: number;
}

/** The user's own projection: votes per ballot. */
const votesPerBallot = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'votes_per_ballot',
  version: 1,
  handlers: {
    VoteCast: ({ data }, ops) =>
      ops.update<VotesDocument>('ballots', data.ballotId, (current) => ({ votes: (current?.votes ?? 0) + 1 })),
  },
});

const eventStore = await SqliteEventStore.open({ path });
const readModelStore = await SqliteReadModelStore.open({ database: eventStore.database });
const service = createConferenceService({ store: eventStore });
const context = () => ({ occurredAt: new Date().toISOString() });

/** Runs one command; a refusal ends the program with its message. */
const run = async (outcome: Promise<E.Either<{ message: string }, { position: Position | undefined }>>): Promise<Position> => {
  const result = await outcome;
  if (E.isLeft(result)) throw new Error(result.left.message);
  if (result.right.position === undefined) throw new Error('the command appended nothing');
  return result.right.position;
};

await run(service.scheduleConference(
  { conferenceId: 'ecc2020', name: 'European Cluster Conference 2020', days: ['2020-11-10'], capacity: null, organisers: ['DG GROW'] },
  context(),
));
for (const [attendeeId, country] of [['ana', 'DE'], ['bo', 'FR'], ['cy', 'DE']] as const) {
  await run(service.registerAttendee({ conferenceId: 'ecc2020', attendeeId, name: attendeeId, country, stakeholderGroup: 'research' }, context()));
}
await run(service.openSession({
  conferenceId: 'ecc2020', sessionId: 'award-vote', title: 'Cluster Manager of the Year', day: '2020-11-10', openers: [{ name: 'Chair', role: 'host' }],
  ballot: {
    awardId: 'cluster-manager',
    candidates: [
      { candidateId: 'uwe', name: 'Uwe Pfeil', affiliation: 'IT-Logistikcluster' },
      { candidateId: 'b', name: 'Shortlisted Candidate B', affiliation: 'placeholder' },
    ],
  },
}, context()));
let last: Position | undefined;
for (const attendeeId of ['ana', 'bo']) {
  last = await run(service.castVote({ conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId, candidateId: 'uwe' }, context()));
}

const runner = createProjectionRunner<ConferenceEvent>({
  eventStore, readModelStore, registry: conferenceEvents, projections: [attendanceProjection, votesPerBallot],
});
await runner.start();
await runner.waitFor(last!);
const reader = createReadModelReader(readModelStore);
const attendance = await reader.get<AttendanceDocument>('attendance', 'conferences', 'ecc2020');
const ballot = await reader.get<VotesDocument>('votes_per_ballot', 'ballots', 'award-vote');
await runner.stop();
const head = await eventStore.headPosition();
await readModelStore.close();
await eventStore.close();

console.log(JSON.stringify({
  head: head === undefined ? null : formatPosition(head),
  attendance: attendance === undefined ? null : { total: attendance.total, byCountry: attendance.byCountry },
  votes: ballot?.votes ?? null,
}));
