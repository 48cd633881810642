import { countryName } from '@clusterconf/domain';
import {
  type AgendaDocument, type AllianceRosterDocument, type AttendanceDocument, type AwardRollDocument, type BallotTallyDocument,
  type Document, type ReadModelStore, agendaProjection, allianceRosterProjection, attendanceProjection, awardRollProjection,
  ballotTalliesProjection, namespaceOf,
} from '@clusterconf/projections';

/** Everything the report prints, read from the built-in read models and nothing else. */
export interface ConferenceReport {
  readonly attendance: AttendanceDocument | undefined;
  readonly agenda: AgendaDocument | undefined;
  readonly ballots: readonly BallotTallyDocument[];
  readonly awards: readonly AwardRollDocument[];
  readonly alliances: readonly AllianceRosterDocument[];
}

/** The namespace readers use: the active version, or the definition's when none was switched. */
const servingNamespace = async (store: ReadModelStore, projection: { name: string; version: number }): Promise<string> =>
  namespaceOf(projection.name, (await store.activeVersion(projection.name)) ?? projection.version);

const listAll = async <T extends Document>(store: ReadModelStore, namespace: string, collection: string): Promise<T[]> => {
  const documents: T[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await store.listDocuments<T>(namespace, collection, { limit: 200, ...(afterId === undefined ? {} : { afterId }) });
    documents.push(...page.map((entry) => entry.document));
    if (page.length < 200) return documents;
    afterId = page[page.length - 1]!.id;
  }
};

/** Reads one conference's report out of the read models. */
export const readReport = async (store: ReadModelStore, conferenceId: string): Promise<ConferenceReport> => {
  const [attendanceNs, agendaNs, ballotsNs, awardsNs, alliancesNs] = await Promise.all(
    [attendanceProjection, agendaProjection, ballotTalliesProjection, awardRollProjection, allianceRosterProjection].map((p) => servingNamespace(store, p)),
  );
  return {
    attendance: await store.readDocument<AttendanceDocument>(attendanceNs!, 'conferences', conferenceId),
    agenda: await store.readDocument<AgendaDocument>(agendaNs!, 'agendas', conferenceId),
    ballots: (await listAll<BallotTallyDocument>(store, ballotsNs!, 'ballots')).filter((b) => b.conferenceId === conferenceId),
    awards: await listAll<AwardRollDocument>(store, awardsNs!, 'awards'),
    alliances: await listAll<AllianceRosterDocument>(store, alliancesNs!, 'alliances'),
  };
};

const country = (code: string): string => `${countryName(code) ?? code} (${code})`;
const percent = (part: number, whole: number): string => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;
const byCountDesc = (entries: [string, number][]) => entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

/** Formats the report as the lines `npm start` prints. */
export const formatReport = (report: ConferenceReport, topCountries = 10): string[] => {
  const lines: string[] = [];
  const { attendance, agenda } = report;
  lines.push(`== ${agenda?.name ?? '(conference not scheduled)'}: ${agenda?.days.join(' and ') ?? ''}`);

  lines.push('', '-- Attendance (read model: attendance)');
  if (attendance === undefined) lines.push('no registrations');
  else {
    const countries = byCountDesc(Object.entries(attendance.byCountry));
    lines.push(`${attendance.total} attendees from ${countries.length} countries`);
    lines.push(`by stakeholder group:`);
    for (const [group, count] of byCountDesc(Object.entries(attendance.byStakeholderGroup))) {
      lines.push(`  ${group.padEnd(32)} ${String(count).padStart(5)}  ${percent(count, attendance.total).padStart(6)}`);
    }
    lines.push(`top ${Math.min(topCountries, countries.length)} countries:`);
    for (const [code, count] of countries.slice(0, topCountries)) lines.push(`  ${country(code).padEnd(32)} ${String(count).padStart(5)}`);
  }

  lines.push('', '-- Agenda (read model: agenda)');
  for (const day of agenda?.days ?? []) {
    lines.push(`${day}:`);
    for (const session of agenda!.sessions.filter((s) => s.day === day)) {
      lines.push(`  ${session.title}${session.ballotAwardId === null ? '' : ` [ballot${session.ballotClosed ? ', closed' : ', open'}]`}`);
      if (session.openers.length > 0) lines.push(`    opened by ${session.openers.map((o) => `${o.name} (${o.role})`).join(' and ')}`);
    }
  }

  lines.push('', '-- Ballots (read model: ballot_tallies)');
  for (const ballot of report.ballots) {
    const award = report.awards.find((a) => a.awardId === ballot.awardId);
    lines.push(`${award?.title ?? ballot.awardId}: ${ballot.candidates.length} shortlisted candidates, ${ballot.counted} votes counted, ` +
      `${ballot.late} late${ballot.closed ? '' : ' (ballot still open)'}`);
    for (const entry of ballot.tally) {
      const candidate = ballot.candidates.find((c) => c.candidateId === entry.candidateId);
      lines.push(`  ${String(entry.votes).padStart(5)}  ${percent(entry.votes, ballot.counted).padStart(6)}  ${candidate?.name ?? entry.candidateId} (${candidate?.affiliation ?? 'not shortlisted'})`);
    }
    const leaders = ballot.leaders.map((id) => ballot.candidates.find((c) => c.candidateId === id)?.name ?? id);
    lines.push(leaders.length === 1 ? `  winner: ${leaders[0]}` : `  leaders: ${leaders.join(', ') || 'none'}`);
  }

  lines.push('', '-- Awards (read model: award_roll)');
  for (const award of report.awards) {
    for (const grant of award.grants) {
      const how = grant.decidedBy.kind === 'jury' ? 'by the jury' : `by the participants' vote (${grant.decidedBy.tally.reduce((sum, t) => sum + t.votes, 0)} votes)`;
      lines.push(`${grant.title} ${grant.edition}: ${grant.recipient} (${grant.affiliation}), ${how}`);
    }
  }

  lines.push('', '-- Alliances (read model: alliance_roster)');
  for (const alliance of report.alliances) {
    lines.push(`${alliance.name ?? alliance.allianceId}: ${alliance.members.length} member nations`);
    for (const member of alliance.members) {
      lines.push(`  ${String(member.memberNumber).padStart(2)}. ${country(member.nation).padEnd(28)} ${member.programme}`);
    }
    const newest = alliance.members[alliance.members.length - 1];
    if (newest) lines.push(`newest member: ${country(newest.nation)} through ${newest.programme}, member number ${newest.memberNumber}`);
  }
  return lines;
};
