import {
  AllianceId, AwardId, ConferenceId, allianceDecider, allianceStream, allianceStreamEvents, awardDecider, awardStream, awardStreamEvents,
  conferenceDecider, conferenceStream, conferenceStreamEvents, createCommandHandler, type EventStore,
} from '@clusterconf/domain';
import { allianceView, awardView, conferenceView, type AllianceView, type AwardView, type ConferenceView } from './resource-views.js';

/** A resource read from its stream: its view and the stream's revision, which is its ETag. */
export interface StreamResource<View> {
  readonly view: View;
  readonly revision: bigint;
}

/** Reads the stream-backed resources; each resolves undefined when there is no such resource (an id that is not a slug, say). */
export interface StreamResources {
  conference(conferenceId: string): Promise<StreamResource<ConferenceView> | undefined>;
  alliance(allianceId: string): Promise<StreamResource<AllianceView> | undefined>;
  award(awardId: string): Promise<StreamResource<AwardView> | undefined>;
}

/**
 * Folds streams with the domain's deciders, the way commands see them: one read gives the state and the revision it
 * reflects, so a view and its ETag always agree. The command handlers' caches make a repeated GET read only the tail.
 */
export const createStreamResources = (store: EventStore, cacheSize = 64): StreamResources => {
  const conferences = createCommandHandler({ store, registry: conferenceStreamEvents, decider: conferenceDecider, cacheSize });
  const alliances = createCommandHandler({ store, registry: allianceStreamEvents, decider: allianceDecider, cacheSize });
  const awards = createCommandHandler({ store, registry: awardStreamEvents, decider: awardDecider, cacheSize });
  return {
    conference: async (conferenceId) => {
      if (!ConferenceId.is(conferenceId)) return undefined;
      const { state, revision } = await conferences.load(conferenceStream(conferenceId));
      const view = conferenceView(state);
      return view === undefined || revision === undefined ? undefined : { view, revision };
    },
    alliance: async (allianceId) => {
      if (!AllianceId.is(allianceId)) return undefined;
      const { state, revision } = await alliances.load(allianceStream(allianceId));
      const view = allianceView(state);
      return view === undefined || revision === undefined ? undefined : { view, revision };
    },
    award: async (awardId) => {
      if (!AwardId.is(awardId)) return undefined;
      const { state, revision } = await awards.load(awardStream(awardId));
      return revision === undefined ? undefined : { view: awardView(awardId, state), revision };
    },
  };
};
