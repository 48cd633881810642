/** The stream of a conference: its schedule, registrations, sessions and ballot closes. */
export const conferenceStream = (conferenceId: string): string => `conference-${conferenceId}`;

/** The stream of one attendee's vote on one ballot; appended with `no_stream`, so it holds at most one vote. */
export const voteStream = (conferenceId: string, ballotId: string, attendeeId: string): string =>
  `vote-${conferenceId}.${ballotId}.${attendeeId}`;

/** The prefix shared by every vote stream of one ballot; ids are slugs without `.`, so it matches no other ballot. */
export const voteStreamPrefix = (conferenceId: string, ballotId: string): string => `vote-${conferenceId}.${ballotId}.`;

/** The stream of an award: every edition's grant. */
export const awardStream = (awardId: string): string => `award-${awardId}`;

/** The stream of an alliance: its founding and its members in joining order. */
export const allianceStream = (allianceId: string): string => `alliance-${allianceId}`;
