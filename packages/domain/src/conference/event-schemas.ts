/**
 * Where the committed schema snapshot of the conference events is (`conferenceEventDefinitions`, every version stored
 * events may carry), which `clusterconf schema check` holds the codecs to. A `file:` URL (for `fs` functions, or
 * `fileURLToPath`), so that the domain needs no Node module; the same file from `src/conference/` and from the built
 * `dist/conference/`, as the package ships it in `src/conference/`.
 */
export const conferenceEventSchemaSnapshotUrl: URL = new URL('../../src/conference/event-schemas.snapshot.json', import.meta.url);
