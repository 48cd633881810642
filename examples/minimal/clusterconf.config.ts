// The loan desk as a clusterconf config: `clusterconf --config examples/minimal/clusterconf.config.ts status` (or
// replay, export, tail) on the file `npm start` writes, and `… schema check` against event-schemas.snapshot.json
// beside this file. A plain object: the CLI checks what it loads, and the example needs no @clusterconf/cli import.
import { loanEvents } from './loan-events.js';
import { memberLoansProjection } from './member-loans.js';

export default { registry: loanEvents, projections: [memberLoansProjection], store: 'sqlite:data/library.sqlite' };
