import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkEventSchemas, parseEventSchemaSnapshot } from '@clusterconf/domain';
import config from './clusterconf.config.js';
import { loanEvents } from './loan-events.js';

const path = fileURLToPath(new URL('./event-schemas.snapshot.json', import.meta.url));

describe('the loan events\' schema snapshot', () => {
  it('records every loan event, and the codecs read every recorded version', () => {
    const check = checkEventSchemas(parseEventSchemaSnapshot(readFileSync(path, 'utf8'), path), config.registry.definitions);
    const findings = [...check.breaks, ...check.gaps, ...check.unrecorded].map((finding) => finding.message);
    expect(findings, `${path} is out of step with loan-events.ts. An incompatible change needs a new schemaVersion and an upcaster; ` +
      'then, or after a compatible change, run `npx clusterconf --config examples/minimal/clusterconf.config.ts schema check --update` ' +
      'at the repository root and commit the snapshot').toEqual([]);
    expect(Object.keys(check.updated.events).sort()).toEqual([...loanEvents.types].sort());
  });
});
