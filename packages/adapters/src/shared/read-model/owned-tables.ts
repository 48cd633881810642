/**
 * The tables `namespace` owns: handlers name their own SQL tables `<namespace>_…`, so those are dropped with the
 * namespace, except the tables of a longer namespace that shares the prefix (dropping `talks_v1` keeps
 * `talks_v1_by_day_v1_…`, the tables of projection `talks_v1_by_day`). `knownNamespaces` are the namespaces the
 * store has a checkpoint, dead letter or active version for.
 */
export const ownedTables = (namespace: string, tables: readonly string[], knownNamespaces: readonly string[]): string[] => {
  const prefix = `${namespace}_`;
  const others = knownNamespaces.filter((other) => other !== namespace && other.startsWith(prefix)).map((other) => `${other}_`);
  return tables.filter((table) => table.startsWith(prefix) && !others.some((other) => table.startsWith(other)));
};

/** Quotes an identifier read from the catalog, doubling embedded quotes. */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
