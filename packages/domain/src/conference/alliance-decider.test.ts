import { describe, it } from 'vitest';
import { given } from '../testing/index.js';
import { allianceDecider, type JoinAlliance } from './alliance-decider.js';
import { ev, withCode } from './fixtures.test-helper.js';

const founded = ev('AllianceFounded', { allianceId: 'eca', name: 'European Cluster Alliance' });
const join = (nation: string, programme = 'national programme'): JoinAlliance => ({ type: 'JoinAlliance', allianceId: 'eca', nation, programme });
const joined = (nation: string, memberNumber: number, programme = 'national programme') =>
  ev('NationJoinedAlliance', { allianceId: 'eca', nation, programme, memberNumber });

describe('FoundAlliance', () => {
  it('founds an alliance', () => given(allianceDecider).when({ type: 'FoundAlliance', allianceId: 'eca', name: 'European Cluster Alliance' }).thenEvents([founded]));
  it('founds once', () =>
    given(allianceDecider, [founded]).when({ type: 'FoundAlliance', allianceId: 'eca', name: 'Again' }).thenError(withCode('AllianceAlreadyFounded')));
});

describe('JoinAlliance', () => {
  it('gives the next member number', () =>
    given(allianceDecider, [founded, joined('ES', 1), joined('FR', 2)]).when(join('DE', 'go-cluster')).thenEvents([joined('DE', 3, 'go-cluster')]));
  it('gives number 1 to the first member', () => given(allianceDecider, [founded]).when(join('ES')).thenEvents([joined('ES', 1)]));
  it('lets a nation join once', () =>
    given(allianceDecider, [founded, joined('DE', 1)]).when(join('DE')).thenError(withCode('NationAlreadyMember', { nation: 'DE', memberNumber: 1 })));
  it('needs a named programme', () => given(allianceDecider, [founded]).when(join('DE', ' ')).thenError(withCode('BlankField', { field: 'programme' })));
  it('needs a valid nation', () => given(allianceDecider, [founded]).when(join('EU')).thenError(withCode('InvalidCountry', { field: 'nation' })));
  it('needs the alliance founded', () => given(allianceDecider).when(join('DE')).thenError(withCode('AllianceNotFounded')));
});
