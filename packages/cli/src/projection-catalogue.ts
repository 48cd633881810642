import type { ConferenceEvent } from '@clusterconf/domain';
import { conferenceProjections, type Projection } from '@clusterconf/projections';
import { UsageError } from './cli-errors.js';

/** The projections the CLI runs: the built-in conference read models. */
export const builtInProjections: readonly Projection<ConferenceEvent>[] = conferenceProjections;

/** Finds a built-in projection by name; an unknown name is a usage error listing the known ones. */
export const findProjection = (name: string): Projection<ConferenceEvent> => {
  const found = builtInProjections.find((projection) => projection.name === name);
  if (found === undefined) {
    throw new UsageError(`Unknown projection "${name}": choose one of ${builtInProjections.map((p) => p.name).join(', ')}`);
  }
  return found;
};
