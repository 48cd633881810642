import { InvalidProjectionError } from './errors.js';

/** Projection names become part of SQL identifiers, so they are restricted to lower-case letters, digits and `_`. */
export const PROJECTION_NAME_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * Every namespace matches this: `<projection name>_v<version>`, as `namespaceOf` builds it. SQL stores use it as an
 * identifier prefix for the tables a projection owns (dropped with the namespace), so its `_v<version>` shape also
 * keeps a namespace from ever covering a store's own tables (`read_model_…`, `schema_migrations`).
 */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,47}_v[1-9][0-9]{0,8}$/;

/** Throws `InvalidProjectionError` unless `name` is a valid projection name and `version` a positive integer. */
export const assertProjectionIdentity = (name: string, version: number): void => {
  if (!PROJECTION_NAME_PATTERN.test(name)) {
    throw new InvalidProjectionError(
      name,
      `the name must match ${PROJECTION_NAME_PATTERN} (lower-case letters, digits and "_", starting with a letter, at most 48 characters)`,
    );
  }
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new InvalidProjectionError(name, `version ${version} is not a positive integer; number versions 1, 2, 3…`);
  }
};

/** The namespace holding one projection version's documents, checkpoint and dead letters: `<name>_v<version>`. */
export const namespaceOf = (name: string, version: number): string => {
  assertProjectionIdentity(name, version);
  return `${name}_v${version}`;
};

/** Throws `InvalidProjectionError` unless `namespace` is safe to use as an SQL identifier. */
export const assertNamespace = (namespace: string): void => {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new InvalidProjectionError(namespace, `namespace must match ${NAMESPACE_PATTERN}; build it with namespaceOf(name, version)`);
  }
};

/**
 * Throws `InvalidProjectionError` unless a projection's namespace is the one its name and version make. A projection
 * copied with another version (`{ ...projection, version: 2 }`) keeps the old namespace: run, it would write version
 * 2 into version 1's documents and checkpoint.
 */
export const assertOwnNamespace = (projection: { readonly name: string; readonly version: number; readonly namespace: string }): void => {
  const expected = namespaceOf(projection.name, projection.version);
  if (projection.namespace !== expected) {
    throw new InvalidProjectionError(
      projection.name,
      `version ${projection.version} has namespace "${projection.namespace}" instead of "${expected}", as a copy of another ` +
        'version ({ ...projection, version }) has; build each version with defineProjection',
    );
  }
};
