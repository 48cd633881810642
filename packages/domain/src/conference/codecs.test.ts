import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, countryName } from './countries.js';
import { conferenceEvents } from './events.js';
import { allianceStream, awardStream, conferenceStream, voteStream, voteStreamPrefix } from './streams.js';

const source = { streamId: 'conference-ecc2020', streamRevision: 0n };

describe('conference event codecs', () => {
  it('decode a valid AttendeeRegistered and encode it back unchanged', () => {
    const data = { conferenceId: 'ecc2020', attendeeId: 'a-1', name: 'Ada', country: 'DE', stakeholderGroup: 'research' };
    const decoded = conferenceEvents.decodeData('AttendeeRegistered', 1, data, source);
    expect(E.isRight(decoded) && conferenceEvents.encode(decoded.right).data).toEqual(data);
  });

  it('reject an unknown country, naming the path and the value', () => {
    const data = { conferenceId: 'ecc2020', attendeeId: 'a-1', name: 'Ada', country: 'XK', stakeholderGroup: 'research' };
    const decoded = conferenceEvents.decodeData('AttendeeRegistered', 1, data, source);
    expect(E.isLeft(decoded) && decoded.left.message).toContain('country: expected CountryCode, got "XK"');
  });

  it('reject a nested bad candidate id with its full path', () => {
    const data = {
      conferenceId: 'ecc2020', sessionId: 's', title: 'Pitch', day: '2020-11-10', openers: [],
      ballot: { awardId: 'ecmy', candidates: [{ candidateId: 'Bad Id', name: 'X', affiliation: 'Y' }] },
    };
    const decoded = conferenceEvents.decodeData('SessionOpened', 1, data, source);
    expect(E.isLeft(decoded) && decoded.left.message).toContain('ballot.candidates.0.candidateId');
  });

  it('reject an impossible calendar date and a blank name', () => {
    const data = { conferenceId: 'ecc2020', name: ' ', days: ['2020-02-30'], capacity: null, organisers: [] };
    const decoded = conferenceEvents.decodeData('ConferenceScheduled', 1, data, source);
    expect(E.isLeft(decoded) && decoded.left.message).toMatch(/name:[\s\S]*days\.0:/);
  });
});

describe('countries', () => {
  it('list all 249 assigned codes, with names', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('ES')).toBe('Spain');
    expect(countryName('UK')).toBeUndefined();
  });
});

describe('stream ids', () => {
  it('follow the fixed naming, and a ballot prefix matches only its own votes', () => {
    expect(conferenceStream('ecc2020')).toBe('conference-ecc2020');
    expect(voteStream('ecc2020', 'b1', 'a-1')).toBe('vote-ecc2020.b1.a-1');
    expect(voteStream('ecc2020', 'b1', 'a-1').startsWith(voteStreamPrefix('ecc2020', 'b1'))).toBe(true);
    expect(voteStream('ecc2020', 'b10', 'a-1').startsWith(voteStreamPrefix('ecc2020', 'b1'))).toBe(false);
    expect(awardStream('ecmy')).toBe('award-ecmy');
    expect(allianceStream('eca')).toBe('alliance-eca');
  });
});
