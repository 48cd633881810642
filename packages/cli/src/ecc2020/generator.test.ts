import { describe, expect, it } from 'vitest';
import { STAKEHOLDER_GROUPS, isCountryCode } from '@clusterconf/domain';
import { BALLOT_SESSION_ID, generateHistory } from './generator.js';

describe('generateHistory', () => {
  const steps = generateHistory();

  it('is deterministic: the same seed gives the same steps, another seed another split', () => {
    expect(generateHistory()).toEqual(steps);
    expect(generateHistory(7)).not.toEqual(steps);
  });

  it('registers 1,000 attendees from exactly 52 real countries across all seven stakeholder groups', () => {
    const attendees = steps.flatMap((s) => (s.kind === 'registerAttendee' ? [s] : []));
    expect(attendees).toHaveLength(1000);
    expect(new Set(attendees.map((a) => a.attendeeId)).size).toBe(1000);
    const countries = new Set(attendees.map((a) => a.country));
    expect(countries.size).toBe(52);
    expect(countries.has('DE')).toBe(true);
    expect([...countries].every(isCountryCode)).toBe(true);
    expect(new Set(attendees.map((a) => a.stakeholderGroup))).toEqual(new Set(STAKEHOLDER_GROUPS));
  });

  it('keeps every instant within 10 and 11 November 2020, in order', () => {
    const times = steps.map((s) => Date.parse(s.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(steps.every((s) => s.at.startsWith('2020-11-10') || s.at.startsWith('2020-11-11'))).toBe(true);
  });

  it('gives Uwe Pfeil strictly the most votes, every voter registered before voting and voting once', () => {
    const registered = new Set<string>();
    const voted = new Set<string>();
    const tally = new Map<string, number>();
    for (const step of steps) {
      if (step.kind === 'registerAttendee') registered.add(step.attendeeId);
      if (step.kind === 'castVote') {
        expect(registered.has(step.attendeeId)).toBe(true);
        expect(voted.has(step.attendeeId)).toBe(false);
        voted.add(step.attendeeId);
        tally.set(step.candidateId, (tally.get(step.candidateId) ?? 0) + 1);
      }
    }
    const [first, second] = [...tally.entries()].sort((a, b) => b[1] - a[1]);
    expect(tally.size).toBe(3);
    expect(first![0]).toBe('uwe-pfeil');
    expect(first![1]).toBeGreaterThan(second![1]);
    const close = steps.findIndex((s) => s.kind === 'closeBallot' && s.sessionId === BALLOT_SESSION_ID);
    expect(steps.slice(close).some((s) => s.kind === 'castVote')).toBe(false);
  });

  it('records 13 labelled placeholder members before Germany joins through go-cluster, the 14th to join', () => {
    const joins = steps.flatMap((s) => (s.kind === 'joinAlliance' ? [s] : []));
    expect(joins).toHaveLength(14);
    expect(new Set(joins.map((j) => j.nation)).size).toBe(14);
    expect(joins.slice(0, 13).every((j) => j.programme.includes('not named in the sources') && j.nation !== 'DE')).toBe(true);
    expect(joins[13]).toMatchObject({ nation: 'DE', programme: 'go-cluster' });
  });
});
