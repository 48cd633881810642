import { type Command, Option } from 'commander';

/** Where the store of a command that reads the config comes from without `--store`. */
export const CONFIGURED_STORE_NOTE = 'Without --store or CLUSTERCONF_STORE the store is the config\'s "store" (the built-in ecc2020 config: ' +
  'sqlite:data/ecc2020.sqlite, relative to the working directory); a config\'s openStores opens it instead.';

/** Adds `--store URL` to a command, with the accepted forms in its help and `note` on its default. */
export const withStoreOption = (command: Command, note = CONFIGURED_STORE_NOTE): Command =>
  command.addOption(
    new Option('-s, --store <url>', 'event store: sqlite:PATH, postgres://USER:PASS@HOST:PORT/DB?schema=NAME esdb://HOST:PORT?tls=false or kurrentdb://HOST:PORT?tls=false')
      .env('CLUSTERCONF_STORE'),
  ).addHelpText('after', `\n${note}`);
