import { expect } from 'vitest';

/** The report part of the example's output: from the conference heading to the note on generated data. */
export const reportSection = (stdout: string): string => {
  const start = stdout.indexOf('== ');
  const end = stdout.indexOf('Not in the sources');
  expect(start, `no report heading in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return stdout.slice(start, end);
};

/** Asserts every fact of /work/shared/ECC2020-FACTS.md that the report must show. */
export const expectEcc2020Facts = (stdout: string): void => {
  const report = reportSection(stdout);
  expect(report).toContain('== European Cluster Conference 2020: 2020-11-10 and 2020-11-11');
  expect(report).toMatch(/^1000 attendees from 52 countries$/m);
  for (const group of ['cluster-policy', 'cluster-management', 'business', 'research', 'civil-society', 'education-and-training', 'other-interest-representatives']) {
    expect(report).toMatch(new RegExp(`^  ${group}\\s+\\d+\\s+\\d+\\.\\d%$`, 'm'));
  }
  const groupCounts = [...report.matchAll(/^ {2}[a-z-]+\s+(\d+)\s+\d+\.\d%$/gm)].map((m) => Number(m[1]));
  expect(groupCounts).toHaveLength(7);
  expect(groupCounts.reduce((a, b) => a + b, 0)).toBe(1000);
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

  // The alliance: Germany through go-cluster as member 14.
  expect(report).toMatch(/^European Cluster Alliance: 14 member nations$/m);
  expect(report).toMatch(/^ {2}14\. Germany \(DE\)\s+go-cluster$/m);
  expect(report).toMatch(/^newest member: Germany \(DE\) through go-cluster, member number 14$/m);
};
