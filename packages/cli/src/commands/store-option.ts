import { type Command, Option } from 'commander';

/** Adds `--store URL` to a command, with the accepted forms in its help. */
export const withStoreOption = (command: Command): Command =>
  command.addOption(
    new Option('-s, --store <url>', 'event store: sqlite:PATH, postgres://USER:PASS@HOST:PORT/DB?schema=NAME or esdb://HOST:PORT?tls=false')
      .env('CLUSTERCONF_STORE'),
  ).addHelpText('after', '\nWithout --store or CLUSTERCONF_STORE the store is sqlite:data/ecc2020.sqlite (relative to the working directory).');
