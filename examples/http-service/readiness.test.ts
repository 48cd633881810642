import { describe, expect, it } from 'vitest';
import type { ProjectionStatus } from '@clusterconf/projections';
import { readiness } from './readiness.js';

const status = (name: string, state: ProjectionStatus['state'], role: ProjectionStatus['role'] = 'serving'): ProjectionStatus => ({
  name, version: 1, namespace: `${name}_v1`, role, state, position: undefined, headPosition: undefined, lag: undefined,
  lagIs: 'unknown', eventsPerSecond: 0, deadLettersRecorded: 0, unregisteredTypes: {},
});

describe('readiness', () => {
  it('is ready when every serving projection is live; a version built beside it does not count', () => {
    expect(readiness([status('attendance', 'live'), status('agenda', 'live'), status('agenda', 'catching-up', 'building')]))
      .toEqual({ ready: true, live: ['attendance', 'agenda'] });
  });

  it('names every serving projection that is not live, with its state', () => {
    expect(readiness([status('attendance', 'live'), status('agenda', 'catching-up'), status('award_roll', 'failed'), status('alliance_roster', 'stopped')])).toEqual({
      ready: false,
      notLive: [{ name: 'agenda', version: 1, state: 'catching-up' }, { name: 'award_roll', version: 1, state: 'failed' }, { name: 'alliance_roster', version: 1, state: 'stopped' }],
    });
  });
});
