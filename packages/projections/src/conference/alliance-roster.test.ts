import { describe, it } from 'vitest';
import { givenEvents } from '../testing/index.js';
import { allianceRosterProjection } from './alliance-roster.js';
import { ev } from './fixtures.test-helper.js';

describe('the alliance roster read model', () => {
  it('lists member nations in member order', async () => {
    await givenEvents(allianceRosterProjection, [
      ev('AllianceFounded', { allianceId: 'eca', name: 'European Cluster Alliance' }),
      ev('NationJoinedAlliance', { allianceId: 'eca', nation: 'FR', programme: 'Pôles', memberNumber: 2 }),
      ev('NationJoinedAlliance', { allianceId: 'eca', nation: 'DE', programme: 'go-cluster', memberNumber: 1 }),
      ev('NationJoinedAlliance', { allianceId: 'eca', nation: 'ES', programme: 'AEI', memberNumber: 3 }),
    ]).thenDocument('alliances', 'eca', {
      allianceId: 'eca',
      name: 'European Cluster Alliance',
      members: [
        { memberNumber: 1, nation: 'DE', programme: 'go-cluster' },
        { memberNumber: 2, nation: 'FR', programme: 'Pôles' },
        { memberNumber: 3, nation: 'ES', programme: 'AEI' },
      ],
    });
  });

  it('keeps members who join before the founding reaches the log', async () => {
    await givenEvents(allianceRosterProjection, [
      ev('NationJoinedAlliance', { allianceId: 'eca', nation: 'IT', programme: 'Cluster nazionali', memberNumber: 1 }),
      ev('AllianceFounded', { allianceId: 'eca', name: 'ECA' }),
    ]).thenDocument('alliances', 'eca', {
      allianceId: 'eca',
      name: 'ECA',
      members: [{ memberNumber: 1, nation: 'IT', programme: 'Cluster nazionali' }],
    });
  });
});
