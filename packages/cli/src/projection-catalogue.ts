import type { ConferenceEvent } from '@clusterconf/domain';
import { conferenceProjections, type Projection } from '@clusterconf/projections';
import { UsageError } from './cli-errors.js';
import { closestMatch } from './did-you-mean.js';

/** The conference read models: the projections of the built-in ecc2020 config. */
export const builtInProjections: readonly Projection<ConferenceEvent>[] = conferenceProjections;

/**
 * Finds a projection by name among `projections` (a config's); an unknown name is a usage error that suggests the
 * closest name, if one is close, and lists them all.
 */
export const findProjection = <P extends Pick<Projection, 'name'>>(name: string, projections: readonly P[]): P => {
  const found = projections.find((projection) => projection.name === name);
  if (found !== undefined) return found;
  const names = projections.map((p) => p.name);
  const closest = closestMatch(name, names);
  throw new UsageError(`Unknown projection "${name}": ${closest === undefined ? '' : `did you mean ${closest}? `}choose one of ${names.join(', ')}`);
};
