/**
 * The tags of the conference model's events, and the queries across streams built from them (see `DcbEventStore`).
 * Ballots and attendees are named within their conference (`ballot:ecc2020.ecmy-vote`), since their ids are slugs
 * unique only there; ids hold no `.`, so a tag names one thing.
 */
import type { Query } from '../kernel/query.js';

/** Every event of the conference carries it. */
export const conferenceTag = (conferenceId: string): string => `conference:${conferenceId}`;

/** A ballot's opening (its session's `SessionOpened`), its votes and its close. */
export const ballotTag = (conferenceId: string, ballotId: string): string => `ballot:${conferenceId}.${ballotId}`;

/** An attendee's registration and votes. */
export const attendeeTag = (conferenceId: string, attendeeId: string): string => `attendee:${conferenceId}.${attendeeId}`;

/** An award's grants. */
export const awardTag = (awardId: string): string => `award:${awardId}`;

/** An alliance's founding and members. */
export const allianceTag = (allianceId: string): string => `alliance:${allianceId}`;

/**
 * What a vote is decided on, in the DCB model: this attendee's votes on this ballot, and this ballot's opening and
 * closing. Appending the vote on the condition that nothing matching it was stored after the last event read guards
 * both rules at once: one vote per person and ballot, and no vote after the close. The attendee's tag comes first in
 * its item, as the more selective one: stores look the item up by it, and PostgreSQL locks on it, so votes of
 * different attendees never wait for each other on it.
 */
export const voteBoundaryQuery = (conferenceId: string, ballotId: string, attendeeId: string): Query => ({
  items: [
    { types: ['VoteCast'], tags: [attendeeTag(conferenceId, attendeeId), ballotTag(conferenceId, ballotId)] },
    { types: ['SessionOpened', 'BallotClosed'], tags: [ballotTag(conferenceId, ballotId)] },
  ],
});
