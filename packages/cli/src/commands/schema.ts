import type { Command } from 'commander';
import { checkEventSchemas, ClusterconfError, emptyEventSchemaSnapshot, type EventSchemaCheck } from '@clusterconf/domain';
import { ConfigError, MissingFileError, UsageError } from '../cli-errors.js';
import { type CliIo, println } from '../cli-io.js';
import { commandContext, type GlobalOptions, printJson } from '../command-context.js';
import { closestMatch } from '../did-you-mean.js';
import { readSchemaSnapshot, registryDefinitions, schemaSnapshotPath, writeSchemaSnapshot } from '../schema-snapshot-file.js';

/** A schema check that found what makes stored events unreadable, or (with `--strict`) a snapshot behind the codecs. */
export class SchemaCheckError extends ClusterconfError {
  readonly code = 'SCHEMA_CHECK_FAILED';
}

/** What `schema check` did, for its report. */
export interface SchemaCheckOutcome {
  readonly check: EventSchemaCheck;
  readonly snapshot: string;
  readonly config: string;
  /** Whether `--update` wrote the snapshot. */
  readonly updated: boolean;
  readonly strict: boolean;
  /** The command that records the snapshot, as the user would type it. */
  readonly updateCommand: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Why the check fails, or `undefined` when it passes. */
export const schemaCheckFailure = ({ check, strict, updated }: SchemaCheckOutcome): string | undefined => {
  const reasons = [
    ...(check.breaks.length > 0 ? [plural(check.breaks.length, 'incompatible change')] : []),
    ...(check.gaps.length > 0 ? [plural(check.gaps.length, 'unrecorded old version')] : []),
    ...(strict && !updated && check.unrecorded.length > 0 ? [`${plural(check.unrecorded.length, 'change')} not recorded (--strict)`] : []),
  ];
  if (reasons.length === 0) return undefined;
  const fix = check.breaks.length > 0 ? 'fix each as it says; nothing was recorded'
    : check.gaps.length > 0 ? 'add each old version to the snapshot by hand, as it says'
      : 'record them with --update and commit the snapshot with the codec change';
  return `schema check failed: ${reasons.join(', ')} (listed above): ${fix}`;
};

/** The report's lines: what was checked, each finding, and what follows from them. */
export const schemaCheckLines = (outcome: SchemaCheckOutcome): string[] => {
  const { check, snapshot, config, updated, updateCommand } = outcome;
  const types = Object.keys(check.updated.events).length;
  const versions = Object.values(check.updated.events).reduce((sum, recorded) => sum + Object.keys(recorded).length, 0);
  const lines = [`schema check of ${config} against ${snapshot}: ${plural(types, 'event type')}, ${plural(versions, 'schema version')}`];
  lines.push(...check.breaks.map((finding) => `  incompatible: ${finding.message}`));
  lines.push(...check.gaps.map((finding) => `  unrecorded old version: ${finding.message}`));
  lines.push(...check.unrecorded.map((finding) => `  ${updated ? 'recorded' : 'not recorded yet'}: ${finding.message}`));
  if (schemaCheckFailure(outcome) !== undefined) return lines;
  if (updated && check.unrecorded.length === 0) lines.push(`rewrote ${snapshot} in the snapshot format; nothing else changed`);
  else if (updated) lines.push(`recorded ${plural(check.unrecorded.length, 'change')} in ${snapshot}: commit it with the codec change`);
  else if (check.unrecorded.length > 0) lines.push(`passed; record ${check.unrecorded.length === 1 ? 'it' : 'them'} with \`${updateCommand}\` and commit ${snapshot}`);
  else lines.push('passed: the codecs read every recorded schema version');
  return lines;
};

/** Runs the check; a codec it cannot describe (`describeEventSchema`'s `TypeError`) is a config error naming the config. */
const describedCheck = (source: string, check: () => EventSchemaCheck): EventSchemaCheck => {
  try {
    return check();
  } catch (error) {
    if (error instanceof TypeError) throw new ConfigError(`${source}: ${error.message}`, { cause: error });
    throw error;
  }
};

/** `clusterconf schema check`: the config's registry against its committed event schema snapshot. */
export const registerSchemaCommand = (program: Command, io: CliIo): void => {
  const schema = program
    .command('schema')
    .description('check the registry\'s event codecs against the committed event schema snapshot (run `schema check --help`)')
    .argument('[command]', 'check')
    // Commander would print the whole help on stderr; a usage error is one line, and says where the help is.
    .action((name: string | undefined) => {
      if (name === undefined) throw new UsageError('schema needs a command: check (run clusterconf schema check --help for usage)');
      const meant = closestMatch(name, ['check']);
      throw new UsageError(`unknown command 'schema ${name}'${meant === undefined ? '' : `; did you mean schema ${meant}?`} ` +
        '(run clusterconf schema --help for usage)');
    });
  schema
    .command('check')
    .description('fail when a codec no longer reads every schema version the snapshot records (stored events carry them)')
    .option('--update', 'record new event types, new schema versions and compatible changes in the snapshot; never an incompatible change')
    .option('--strict', 'also fail when the snapshot does not record the codecs yet, as CI should: the snapshot is committed with the change')
    .option('--json', 'print the outcome as one JSON object: {config, snapshot, passed, updated, breaks, gaps, unrecorded}')
    .addHelpText('after', '\nThe snapshot is the config\'s schemaSnapshot, else event-schemas.snapshot.json beside the config file.\n' +
      'Examples:\n  clusterconf schema check\n  clusterconf --config clusterconf.config.ts schema check --update')
    .action(async (options: { update?: boolean; strict?: boolean }, command: Command) => {
      const context = commandContext(io, command);
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { loaded } = await context.load();
      const definitions = registryDefinitions(loaded);
      const snapshot = schemaSnapshotPath(loaded, io.cwd);
      const updateCommand = `clusterconf${globals.config === undefined ? '' : ` --config ${globals.config}`} schema check --update`;
      const recorded = readSchemaSnapshot(snapshot);
      if (recorded === undefined && options.update !== true) {
        throw new MissingFileError(snapshot, `record the registry's event schemas there with \`${updateCommand}\` and commit the file`);
      }
      const check = describedCheck(loaded.source, () => checkEventSchemas(recorded ?? emptyEventSchemaSnapshot, definitions));
      // An incompatible change is never recorded: the snapshot is the record of what stored events carry.
      const updated = options.update === true && check.breaks.length === 0 && writeSchemaSnapshot(snapshot, check.updated);
      const outcome: SchemaCheckOutcome = { check, snapshot, config: loaded.source, updated, strict: options.strict === true, updateCommand };
      const failure = schemaCheckFailure(outcome);
      if (context.json) {
        printJson(io.out, {
          config: loaded.source, snapshot, passed: failure === undefined, updated,
          breaks: check.breaks.map((f) => f.message), gaps: check.gaps.map((f) => f.message), unrecorded: check.unrecorded.map((f) => f.message),
        });
      } else {
        for (const line of schemaCheckLines(outcome)) println(io.out, line);
      }
      if (failure !== undefined) throw new SchemaCheckError(failure);
    });
};
