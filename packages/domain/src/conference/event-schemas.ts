import { fileURLToPath } from 'node:url';

/**
 * The committed schema snapshot of the conference events (`conferenceEventDefinitions`, every version stored events
 * may carry), which `clusterconf schema check` holds the codecs to. The same path from `src/conference/` and from
 * the built `dist/conference/`: the package ships the file in `src/conference/`.
 */
export const conferenceEventSchemaSnapshotPath: string =
  fileURLToPath(new URL('../../src/conference/event-schemas.snapshot.json', import.meta.url));
