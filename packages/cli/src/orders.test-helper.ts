// A small domain that is not the conference: orders placed and shipped, and a read model of the open ones. Tests
// of the config run the CLI on it.
import * as t from 'io-ts';
import { createEventRegistry, defineEvent, type EventOf } from '@clusterconf/domain';
import { defineProjection } from '@clusterconf/projections';

export const OrderPlaced = defineEvent('OrderPlaced', t.type({ orderId: t.string, total: t.number }));
export const OrderShipped = defineEvent('OrderShipped', t.type({ orderId: t.string }));
export const orderEvents = createEventRegistry([OrderPlaced, OrderShipped]);
export type OrderEvent = EventOf<[typeof OrderPlaced, typeof OrderShipped]>;

/** Collection `orders`: one document per order not yet shipped. */
export const openOrdersProjection = defineProjection<OrderEvent>(orderEvents, {
  name: 'open_orders',
  version: 1,
  handlers: {
    OrderPlaced: async ({ data }, ops) => ops.upsert('orders', data.orderId, { total: data.total }),
    OrderShipped: async ({ data }, ops) => ops.delete('orders', data.orderId),
  },
});
