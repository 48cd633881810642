import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Decider } from '../kernel/decider.js';
import { given, SpecificationFailed } from './decider-spec.js';

type Event = { type: 'Opened' } | { type: 'Closed' };
const door: Decider<'open' | 'close', boolean, Event, string> = {
  initialState: false,
  evolve: (_open, event) => event.type === 'Opened',
  decide: (command, open) =>
    command === 'open' ? (open ? E.left('already open') : E.right([{ type: 'Opened' }])) : open ? E.right([{ type: 'Closed' }]) : E.left('already closed'),
};

describe('the decider test kit', () => {
  it('passes when the events or the error match', () => {
    given(door).when('open').thenEvents([{ type: 'Opened' }]);
    given(door, [{ type: 'Opened' }]).when('open').thenError('already open');
    given(door, [{ type: 'Opened' }]).when('open').thenError((error) => error.startsWith('already'));
    expect(given(door, [{ type: 'Opened' }, { type: 'Closed' }]).state()).toBe(false);
  });

  it('fails with a message showing what was expected and what happened', () => {
    expect(() => given(door).when('open').thenEvents([{ type: 'Closed' }])).toThrow(SpecificationFailed);
    expect(() => given(door).when('close').thenEvents([])).toThrow(/refused with 'already closed'/);
    expect(() => given(door).when('open').thenError('already open')).toThrow(/Expected the command to be refused/);
  });

  it('compares events structurally: key order does not matter, NaN, undefined members, Maps and Dates do', () => {
    type Noted = { type: 'Noted'; data: unknown };
    const echo: Decider<unknown, null, Noted, never> = { initialState: null, evolve: (s) => s, decide: (data) => E.right([{ type: 'Noted', data }]) };
    given(echo).when({ a: 1, b: 2 }).thenEvents([{ data: { b: 2, a: 1 }, type: 'Noted' }]);
    given(echo).when(new Map([['k', 1]])).thenEvents([{ type: 'Noted', data: new Map([['k', 1]]) }]);
    expect(() => given(echo).when(Number.NaN).thenEvents([{ type: 'Noted', data: null }])).toThrow(SpecificationFailed);
    expect(() => given(echo).when({ b: undefined }).thenEvents([{ type: 'Noted', data: {} }])).toThrow(SpecificationFailed);
    expect(() => given(echo).when(new Map([['k', 1]])).thenEvents([{ type: 'Noted', data: new Map([['k', 2]]) }])).toThrow(SpecificationFailed);
    expect(() => given(echo).when(new Date(0)).thenEvents([{ type: 'Noted', data: new Date(0).toISOString() }])).toThrow(SpecificationFailed);
    expect(() => given(echo).when(1n).thenEvents([{ type: 'Noted', data: 1 }])).toThrow(/data: 1n/);
  });

  it('is never a thenable: awaiting a specification gives it back and decides nothing again', async () => {
    let decisions = 0;
    const counted: Decider<'open' | 'close', boolean, Event, string> = { ...door, decide: (command, open) => (decisions++, door.decide(command, open)) };
    const spec = given(counted).when('open');
    expect('then' in spec).toBe(false);
    expect(decisions).toBe(1);
    // A `then` member would make `await` call it with (resolve, reject) and run an assertion nobody asked for.
    const awaited = await spec;
    expect(awaited).toBe(spec);
    expect(decisions).toBe(1);
    awaited.thenEvents([{ type: 'Opened' }]);
  });
});
