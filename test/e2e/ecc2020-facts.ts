import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The facts page, kept in the repository beside the press releases it summarises (docs/ecc2020/seeds). */
export const ecc2020FactsPath = fileURLToPath(new URL('../../docs/ecc2020/ECC2020-FACTS.md', import.meta.url));

/** The numbers the report must reproduce exactly, as the facts page states them. */
interface FactsPageNumbers {
  readonly attendees: number;
  readonly countries: number;
  readonly allianceMemberNumber: number;
}

const factsPageNumbers = (): FactsPageNumbers => {
  const page = readFileSync(ecc2020FactsPath, 'utf8');
  const numberAfter = (pattern: RegExp, what: string): number => {
    const found = pattern.exec(page)?.[1];
    if (found === undefined) throw new Error(`${ecc2020FactsPath} no longer states ${what} as ${pattern}; update test/e2e/ecc2020-facts.ts to read it`);
    return Number(found.replaceAll(',', ''));
  };
  return {
    attendees: numberAfter(/^([\d,]+) registered attendees/m, 'the attendees'),
    countries: numberAfter(/^[\d,]+ registered attendees, (\d+) distinct countries/m, 'the countries'),
    allianceMemberNumber: numberAfter(/Germany as member number (\d+)/, "Germany's alliance member number"),
  };
};

/** The report part of the example's output: from the conference heading to the note on generated data. */
export const reportSection = (stdout: string): string => {
  const start = stdout.indexOf('== ');
  const end = stdout.indexOf('Not in the sources');
  expect(start, `no report heading in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return stdout.slice(start, end);
};

/** Asserts every fact of docs/ecc2020/ECC2020-FACTS.md that the report must show. */
export const expectEcc2020Facts = (stdout: string): void => {
  const report = reportSection(stdout);
  const facts = factsPageNumbers();
  expect(report).toContain('== European Cluster Conference 2020: 2020-11-10 and 2020-11-11');
  expect(report).toMatch(new RegExp(`^${facts.attendees} attendees from ${facts.countries} countries$`, 'm'));
  for (const group of ['cluster-policy', 'cluster-management', 'business', 'research', 'civil-society', 'education-and-training', 'other-interest-representatives']) {
    expect(report).toMatch(new RegExp(`^  ${group}\\s+\\d+\\s+\\d+\\.\\d%$`, 'm'));
  }
  const groupCounts = [...report.matchAll(/^ {2}[a-z-]+\s+(\d+)\s+\d+\.\d%$/gm)].map((m) => Number(m[1]));
  expect(groupCounts).toHaveLength(7);
  expect(groupCounts.reduce((a, b) => a + b, 0)).toBe(facts.attendees);
  expect(report).toMatch(/^ {2}Germany \(DE\)\s+\d+$/m);

  // The agenda: day 1 opens with Breton and Altmaier.
  const day1 = report.slice(report.indexOf('2020-11-10:'), report.indexOf('2020-11-11:'));
  expect(day1).toContain('Opening: Strengthening clusters to make Europe greener, more digital and more resilient');
  expect(day1).toContain('opened by Thierry Breton (EU Commissioner for the Internal Market) and Peter Altmaier (German Federal Minister for Economic Affairs and Energy)');

  // The ballot: three shortlisted, Uwe Pfeil strictly ahead and the winner.
  expect(report).toMatch(/European Cluster Manager of the Year: 3 shortlisted candidates, (\d+) votes counted, 0 late/);
  const tally = [...report.matchAll(/^ +(\d+) +\d+\.\d% {2}(.+?) \(/gm)].map((m) => ({ votes: Number(m[1]), name: m[2] ?? '' }));
  expect(tally).toHaveLength(3);
  expect(tally[0]!.name).toBe('Uwe Pfeil');
  expect(tally[0]!.votes).toBeGreaterThan(tally[1]!.votes);
  expect(tally.slice(1).every((t) => t.name.startsWith('Shortlisted Candidate'))).toBe(true);
  expect(report).toMatch(/^ {2}winner: Uwe Pfeil$/m);

  // The awards.
  expect(report).toMatch(/^European Cluster Manager of the Year 2020: Uwe Pfeil \(E-Mobilität Regensburg and IT-Logistikcluster\), by the participants' vote/m);
  expect(report).toMatch(/^European Cluster Partnership of the Year 2020: IoT4Industry \(EU project\), by the jury$/m);
  expect(report).toMatch(/^Special prize for EU cluster mobilisation 2020: Antonio Novo Guerrero \(President of the European Cluster Alliance; cluster manager of IDiA \(Spain\)\), by the jury$/m);

  // The alliance: Germany through go-cluster, with the member number the facts page gives (14).
  const member = facts.allianceMemberNumber;
  expect(report).toMatch(new RegExp(`^European Cluster Alliance: ${member} member nations$`, 'm'));
  expect(report).toMatch(new RegExp(`^ {2}${member}\\. Germany \\(DE\\)\\s+go-cluster$`, 'm'));
  expect(report).toMatch(new RegExp(`^newest member: Germany \\(DE\\) through go-cluster, member number ${member}$`, 'm'));
};
