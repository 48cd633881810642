import type { Subscription } from '@clusterconf/domain';

/**
 * What the await-subscription child scripts do: say `subscribed`, then wait for the subscription's first event,
 * print its type and return. A store whose waiting subscription did not hold the process open would let Node end
 * it with code 13 before the event arrives.
 */
export const printFirstEvent = async (subscription: Subscription): Promise<void> => {
  process.stdout.write('subscribed\n');
  for await (const message of subscription) {
    if (message.kind !== 'event') continue;
    process.stdout.write(`${message.event.type}\n`);
    break;
  }
};
