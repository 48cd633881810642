import { STAKEHOLDER_GROUPS, type StakeholderGroup } from '@clusterconf/domain';
import { mulberry32, shuffled, weightedIndex } from './prng.js';
import { ECC2020 } from './sources.js';

/**
 * One command of the ECC 2020 history, in the order it is issued, with the instant it happened. The sources give
 * the facts (see sources.ts); this generator fills in what they do not give, deterministically from a seed.
 */
export type HistoryStep =
  | { readonly kind: 'scheduleConference'; readonly at: string; readonly name: string; readonly days: readonly string[]; readonly organisers: readonly string[] }
  | { readonly kind: 'registerAttendee'; readonly at: string; readonly attendeeId: string; readonly name: string; readonly country: string; readonly stakeholderGroup: StakeholderGroup }
  | {
      readonly kind: 'openSession'; readonly at: string; readonly sessionId: string; readonly title: string; readonly day: string;
      readonly openers: readonly { readonly name: string; readonly role: string }[];
      readonly ballot: null | { readonly awardId: string; readonly candidates: readonly { readonly candidateId: string; readonly name: string; readonly affiliation: string }[] };
    }
  | { readonly kind: 'castVote'; readonly at: string; readonly ballotId: string; readonly attendeeId: string; readonly candidateId: string }
  | { readonly kind: 'closeBallot'; readonly at: string; readonly sessionId: string }
  | { readonly kind: 'grantVotedAward'; readonly at: string; readonly awardId: string; readonly edition: number; readonly title: string; readonly ballotId: string }
  | { readonly kind: 'grantJuryAward'; readonly at: string; readonly awardId: string; readonly edition: number; readonly title: string; readonly recipient: string; readonly affiliation: string }
  | { readonly kind: 'foundAlliance'; readonly at: string; readonly allianceId: string; readonly name: string }
  | { readonly kind: 'joinAlliance'; readonly at: string; readonly allianceId: string; readonly nation: string; readonly programme: string };

/** The conference's id in every step. */
export const CONFERENCE_ID = ECC2020.conferenceId;
/** The seed of the published example; any other seed gives another, equally valid, history. */
export const DEFAULT_SEED = 2020_11_10;
/** The id of the ballot session for European Cluster Manager of the Year. */
export const BALLOT_SESSION_ID = 'cluster-manager-of-the-year-pitches';

/**
 * The 52 countries attendees connect from. The sources give only the count and the continents (Europe, Africa,
 * Asia, North and South America); which countries is invented: 38 in Europe, 4 in Africa, 5 in Asia, 3 in North
 * America, 2 in South America. Weights shape the invented per-country split (host country heaviest).
 */
const COUNTRY_WEIGHTS: Readonly<Record<string, number>> = {
  DE: 60, FR: 30, IT: 30, ES: 30, BE: 25, NL: 15, AT: 14, PL: 14, PT: 10, SE: 10, DK: 8, FI: 8, CZ: 8, GR: 8, RO: 8,
  HU: 7, IE: 6, BG: 6, HR: 5, SK: 5, SI: 5, LT: 4, LV: 4, EE: 4, LU: 3, CY: 3, MT: 2,
  NO: 5, CH: 5, GB: 6, IS: 2, RS: 3, MK: 2, AL: 2, ME: 2, BA: 2, UA: 4, MD: 2,
  MA: 2, TN: 2, ZA: 2, EG: 2,
  JP: 2, KR: 2, IN: 2, CN: 2, SG: 2,
  US: 3, CA: 2, MX: 2,
  BR: 2, CL: 2,
};

/** Invented shares of the seven stakeholder groups the sources name. */
const GROUP_WEIGHTS: Readonly<Record<StakeholderGroup, number>> = {
  'cluster-policy': 14, 'cluster-management': 30, business: 22, research: 14, 'civil-society': 5,
  'education-and-training': 7, 'other-interest-representatives': 8,
};

/** Placeholder candidates: the sources name only the winner of the three shortlisted. */
export const PLACEHOLDER_CANDIDATES = [
  { candidateId: 'shortlisted-candidate-b', name: 'Shortlisted Candidate B', affiliation: 'placeholder: not named in the sources' },
  { candidateId: 'shortlisted-candidate-c', name: 'Shortlisted Candidate C', affiliation: 'placeholder: not named in the sources' },
] as const;

/** Earlier alliance members are not named in the sources: 13 placeholder nations and programmes, invented. */
const PLACEHOLDER_MEMBER_NATIONS = ['ES', 'FR', 'IT', 'PL', 'PT', 'BE', 'AT', 'SE', 'DK', 'FI', 'CZ', 'RO', 'HU'] as const;

const iso = (ms: number): string => new Date(ms).toISOString();
const at = (text: string): number => Date.parse(text);

/** Generates the complete, ordered ECC 2020 history from a seed; the same seed always gives the same steps. */
export const generateHistory = (seed: number = DEFAULT_SEED): HistoryStep[] => {
  const random = mulberry32(seed);
  const steps: HistoryStep[] = [];
  const [day1, day2] = ECC2020.days;

  steps.push({ kind: 'scheduleConference', at: '2020-11-10T07:00:00.000Z', name: ECC2020.name, days: ECC2020.days, organisers: ECC2020.organisers });

  // Attendees: every country and every group at least once, the rest by weight; then a shuffled arrival order.
  const countries = Object.keys(COUNTRY_WEIGHTS);
  const countryWeights = countries.map((c) => COUNTRY_WEIGHTS[c]!);
  const groupWeights = STAKEHOLDER_GROUPS.map((g) => GROUP_WEIGHTS[g]);
  const people = Array.from({ length: ECC2020.attendees }, (_, index) => ({
    country: index < countries.length ? countries[index]! : countries[weightedIndex(random, countryWeights)]!,
    stakeholderGroup: index < STAKEHOLDER_GROUPS.length ? STAKEHOLDER_GROUPS[index]! : STAKEHOLDER_GROUPS[weightedIndex(random, groupWeights)]!,
  }));
  // Registration times: most on day 1 from 07:30 to 17:00, the rest on day 2 before the morning sessions.
  const times = people
    .map((_, index) => index < 920
      ? at(`${day1}T07:30:00Z`) + Math.floor(random() * 9.5 * 3600_000)
      : at(`${day2}T07:00:00Z`) + Math.floor(random() * 2 * 3600_000))
    .sort((a, b) => a - b);
  const attendees = shuffled(random, people).map((person, index) => ({
    attendeeId: `participant-${String(index + 1).padStart(4, '0')}`,
    name: `Participant ${String(index + 1).padStart(4, '0')}`,
    ...person,
    at: times[index]!,
  }));

  const timed: HistoryStep[] = attendees.map((a) => ({
    kind: 'registerAttendee', at: iso(a.at), attendeeId: a.attendeeId, name: a.name, country: a.country, stakeholderGroup: a.stakeholderGroup,
  }));

  // The agenda: the opening is in the sources; the two theme sessions take their titles from the release's topics,
  // and the platform that ran the conference opens every session after the opening.
  timed.push(
    { kind: 'openSession', at: `${day1}T09:00:00.000Z`, sessionId: 'opening', title: `Opening: ${ECC2020.theme}`, day: day1, openers: ECC2020.openers, ballot: null },
    { kind: 'openSession', at: `${day1}T11:00:00.000Z`, sessionId: 'green-and-digital-recovery', title: 'Clusters for a green and digital recovery from the Covid-19 crisis', day: day1, openers: [ECC2020.host], ballot: null },
    { kind: 'openSession', at: `${day2}T09:30:00.000Z`, sessionId: 'interregional-value-chains', title: 'Interregional cooperation: linking value chains, clusters and ecosystems', day: day2, openers: [ECC2020.host], ballot: null },
  );

  // The alliance: founded and its 13 earlier (placeholder) members recorded before Altmaier's announcement; the
  // decider numbers members in joining order, so Germany becomes member 14.
  const { alliance } = ECC2020;
  timed.push({ kind: 'foundAlliance', at: `${day1}T08:00:00.000Z`, allianceId: alliance.allianceId, name: alliance.name });
  PLACEHOLDER_MEMBER_NATIONS.forEach((nation, index) => {
    timed.push({
      kind: 'joinAlliance', at: iso(at(`${day1}T08:00:01Z`) + index * 1000), allianceId: alliance.allianceId, nation,
      programme: `Placeholder programme ${index + 1} (earlier member not named in the sources)`,
    });
  });
  timed.push({ kind: 'joinAlliance', at: `${day1}T09:45:00.000Z`, allianceId: alliance.allianceId, nation: alliance.joining.nation, programme: alliance.joining.programme });

  // The ballot: three pitches on day 2, a vote by a seeded share of the attendees, then the close.
  const { managerOfTheYear: award } = ECC2020;
  const candidates = [award.winner, ...PLACEHOLDER_CANDIDATES];
  const ballotOpens = at(`${day2}T14:00:00Z`);
  timed.push({
    kind: 'openSession', at: iso(ballotOpens), sessionId: BALLOT_SESSION_ID, title: `${award.title} ${award.edition}: pitches and vote`, day: day2,
    openers: [ECC2020.host], ballot: { awardId: award.awardId, candidates: candidates.map((c) => ({ ...c })) },
  });
  const voters = shuffled(random, attendees).filter(() => random() < 0.62);
  const voteTimes = voters.map(() => ballotOpens + 15 * 60_000 + Math.floor(random() * 20 * 60_000)).sort((a, b) => a - b);
  const choices = voters.map(() => candidates[weightedIndex(random, [44, 31, 25])]!.candidateId);
  const tally = new Map<string, number>(candidates.map((c) => [c.candidateId, 0]));
  for (const choice of choices) tally.set(choice, tally.get(choice)! + 1);
  const winnerVotes = tally.get(award.winner.candidateId)!;
  if (PLACEHOLDER_CANDIDATES.some((c) => tally.get(c.candidateId)! >= winnerVotes)) {
    throw new RangeError(`Seed ${seed} does not give ${award.winner.name} the most votes; the sources say he won: choose another seed`);
  }
  voters.forEach((voter, index) => {
    timed.push({ kind: 'castVote', at: iso(voteTimes[index]!), ballotId: BALLOT_SESSION_ID, attendeeId: voter.attendeeId, candidateId: choices[index]! });
  });
  timed.push({ kind: 'closeBallot', at: `${day2}T14:40:00.000Z`, sessionId: BALLOT_SESSION_ID });

  // The awards, granted at the close of day 2.
  timed.push(
    { kind: 'grantVotedAward', at: `${day2}T15:00:00.000Z`, awardId: award.awardId, edition: award.edition, title: award.title, ballotId: BALLOT_SESSION_ID },
    { kind: 'grantJuryAward', at: `${day2}T15:10:00.000Z`, ...ECC2020.partnershipOfTheYear },
    { kind: 'grantJuryAward', at: `${day2}T15:20:00.000Z`, ...ECC2020.specialPrize },
  );

  // A stable sort by time keeps the listed order for equal instants.
  steps.push(...timed.map((step, index) => ({ step, index })).sort((a, b) => at(a.step.at) - at(b.step.at) || a.index - b.index).map(({ step }) => step));
  return steps;
};
