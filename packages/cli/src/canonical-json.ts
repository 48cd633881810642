/**
 * JSON with object keys sorted at every depth. Stores may hand back the same payload with keys in another order
 * (PostgreSQL's jsonb sorts them), so checksums are taken over this form to stay equal across adapters.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value));

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    // A null prototype, so that a key "__proto__" (an own key JSON.parse makes) is copied as a key rather than
    // setting the copy's prototype, which would drop it from the line.
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
};
