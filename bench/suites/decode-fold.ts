/**
 * Decode and fold 1,000,000 stored events in memory: JSON.parse, upcast and io-ts decode through the conference
 * registry, then a fold into per-country attendance and per-candidate votes. The floor is a bare JSON.parse loop
 * over the same lines in the same run.
 */
import * as E from 'fp-ts/lib/Either.js';
import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { medianRound, row, type BenchSuite } from '../bench-row.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const total = Math.round(1_000_000 * scale);
const countries = ['DE', 'FR', 'ES', 'IT', 'PL', 'NL', 'BE', 'AT', 'SE', 'PT', 'KE', 'JP', 'US', 'BR'];
const groups = ['cluster-policy', 'cluster-management', 'business', 'research', 'civil-society', 'education-and-training'];

/** Stored rows as a store hands them over: JSON text of type, data and metadata. */
const storedLines = (): string[] =>
  Array.from({ length: total }, (_, i) => {
    const metadata = { eventId: `0190f5a4-0000-7000-8000-${i.toString(16).padStart(12, '0')}`, occurredAt: '2020-11-10T09:00:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 };
    const data =
      i % 2 === 0
        ? { conferenceId: 'ecc2020', attendeeId: `attendee-${i}`, name: `Attendee ${i}`, country: countries[i % countries.length], stakeholderGroup: groups[i % groups.length] }
        : { conferenceId: 'ecc2020', ballotId: 'manager-of-the-year', attendeeId: `attendee-${i - 1}`, candidateId: `candidate-${i % 3}` };
    return JSON.stringify({ type: i % 2 === 0 ? 'AttendeeRegistered' : 'VoteCast', data, metadata });
  });

interface Totals {
  readonly byCountry: Map<string, number>;
  readonly votes: Map<string, number>;
}

/** The fold under test: a reducer over decoded events. */
const evolve = (totals: Totals, event: ConferenceEvent): Totals => {
  switch (event.type) {
    case 'AttendeeRegistered':
      totals.byCountry.set(event.data.country, (totals.byCountry.get(event.data.country) ?? 0) + 1);
      return totals;
    case 'VoteCast':
      totals.votes.set(event.data.candidateId, (totals.votes.get(event.data.candidateId) ?? 0) + 1);
      return totals;
    default:
      return totals;
  }
};

const suite: BenchSuite = {
  name: 'decode-fold',
  async run() {
    const lines = storedLines();
    const floorRun = () => {
      let fields = 0;
      for (const line of lines) fields += (JSON.parse(line) as { type: string }).type.length;
      return fields;
    };
    const libraryRun = () => {
      let totals: Totals = { byCountry: new Map(), votes: new Map() };
      // Only named in error messages; a store hands over the real stream and revision with each row.
      const source = { streamId: 'bench', streamRevision: 0n };
      for (const line of lines) {
        const stored = JSON.parse(line) as { type: string; data: unknown; metadata: { schemaVersion: number } };
        const decoded = conferenceEvents.decodeData(stored.type, stored.metadata.schemaVersion, stored.data, source);
        if (E.isLeft(decoded)) throw decoded.left;
        totals = evolve(totals, decoded.right);
      }
      return totals;
    };
    // Warm both paths so the JIT treats them alike, then take the median of nine alternating rounds.
    floorRun();
    libraryRun();
    const { floor, library, ratios } = await medianRound(9, () => floorRun, () => libraryRun);
    return [row({ roundRatios: ratios, benchmark: 'decode + fold', backend: 'memory', events: total, seconds: library.seconds, floorSeconds: floor.seconds, peakRssMb: library.peakRssMb, target: 0.8, note: 'floor: bare JSON.parse loop' })];
  },
};

export default suite;
