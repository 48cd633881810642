import { ClusterconfError } from '@clusterconf/domain';

/** The key store's tables were written by a newer version of `@clusterconf/adapters`. */
export class KeyStoreSchemaTooNewError extends ClusterconfError {
  readonly code = 'SCHEMA_TOO_NEW';
  constructor(readonly where: string, readonly found: number, readonly known: number) {
    super(`The key store at ${where} has schema version ${found}, but this version of @clusterconf/adapters knows versions up to ${known}: ` +
      'upgrade @clusterconf/adapters, or open a copy made before the upgrade');
  }
}
