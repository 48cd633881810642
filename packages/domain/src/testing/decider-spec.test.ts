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
    given(door).when('open').then([{ type: 'Opened' }]);
    given(door, [{ type: 'Opened' }]).when('open').thenError('already open');
    given(door, [{ type: 'Opened' }]).when('open').thenError((error) => error.startsWith('already'));
    expect(given(door, [{ type: 'Opened' }, { type: 'Closed' }]).state()).toBe(false);
  });

  it('fails with a message showing what was expected and what happened', () => {
    expect(() => given(door).when('open').then([{ type: 'Closed' }])).toThrow(SpecificationFailed);
    expect(() => given(door).when('close').then([])).toThrow(/refused with "already closed"/);
    expect(() => given(door).when('open').thenError('already open')).toThrow(/Expected the command to be refused/);
  });
});
