// The ECC 2020 config: the conference events and the six built-in read models, on the SQLite file `npm start`
// writes, and the conference events' schema snapshot. The CLI uses it whenever no clusterconf.config.* is given or found, so the conference is one config among
// any a user writes; it is a model for one (see the CLI README, "Your own domain").
import { fileURLToPath } from 'node:url';
import { conferenceEvents, conferenceEventSchemaSnapshotUrl } from '@clusterconf/domain';
import { conferenceProjections } from '@clusterconf/projections';
import { defineConfig } from '../config.js';

export default defineConfig({
  registry: conferenceEvents,
  projections: conferenceProjections,
  store: 'sqlite:data/ecc2020.sqlite',
  // The conference events' committed snapshot, in @clusterconf/domain: `clusterconf schema check` checks it.
  schemaSnapshot: fileURLToPath(conferenceEventSchemaSnapshotUrl),
});
