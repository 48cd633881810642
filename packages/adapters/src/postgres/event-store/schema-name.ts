import { ClusterconfError } from '@clusterconf/domain';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name that cannot be used as a PostgreSQL identifier without quoting tricks. */
export class InvalidSchemaNameError extends ClusterconfError {
  readonly code = 'INVALID_SCHEMA_NAME';
  constructor(readonly schema: string) {
    super(`Schema name ${JSON.stringify(schema)} is not allowed: use 1 to 63 lower-case letters, digits and underscores, ` +
      `starting with a letter or underscore, such as "clusterconf"`);
  }
}

/**
 * Validates a schema name and returns it double-quoted for SQL. Identifiers cannot be bound as parameters, so this
 * check is what keeps the name from ever carrying SQL.
 */
export const quoteSchema = (schema: string): string => {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) throw new InvalidSchemaNameError(String(schema));
  return `"${schema}"`;
};
