import { describe, expect, it } from 'vitest';
import * as t from 'io-ts';
import { createEventRegistry, defineEvent } from '@clusterconf/domain';
import { SpecificationFailed } from '@clusterconf/domain/testing';
import { ProjectionFailedError } from '../errors.js';
import { defineProjection } from '../projection.js';
import { givenEvents } from './projection-spec.js';

const library = createEventRegistry([
  defineEvent('BookShelved', t.type({ shelf: t.string, title: t.string })),
  defineEvent('ShelfCleared', t.type({ shelf: t.string })),
  defineEvent('BookBurnt', t.type({ title: t.string })),
]);

let handled = 0;
const shelves = defineProjection(library, {
  name: 'shelves',
  version: 1,
  handlers: {
    BookShelved: async (event, ops) => {
      handled++;
      const shelf = await ops.get<{ titles: string[] }>('shelves', event.data.shelf);
      await ops.upsert('shelves', event.data.shelf, { shelf: event.data.shelf, titles: [...(shelf?.titles ?? []), event.data.title] });
    },
    ShelfCleared: (event, ops) => ops.delete('shelves', event.data.shelf),
    BookBurnt: (event) => {
      throw new Error(`no one burns ${event.data.title}`);
    },
  },
});

const shelved = (shelf: string, title: string) => ({ type: 'BookShelved', data: { shelf, title } }) as const;
const cleared = (shelf: string) => ({ type: 'ShelfCleared', data: { shelf } }) as const;

describe('the projection test kit', () => {
  it('passes when the documents match, whatever their key order', async () => {
    const spec = givenEvents(shelves, [shelved('a', 'Emma'), shelved('b', 'Ulysses'), shelved('a', 'Dune'), shelved('c', 'Ice'), cleared('c')]);
    await spec.thenDocument('shelves', 'a', { titles: ['Emma', 'Dune'], shelf: 'a' });
    await spec.thenDocuments('shelves', { b: { shelf: 'b', titles: ['Ulysses'] }, a: { shelf: 'a', titles: ['Emma', 'Dune'] } });
    await spec.thenNoDocument('shelves', 'c');
    await spec.thenDocuments('elsewhere', {});
  });

  it('fails a differing document with the path of each difference', async () => {
    const spec = givenEvents(shelves, [shelved('a', 'Emma'), shelved('a', 'Dune')]);
    const failure = spec.thenDocument('shelves', 'a', { shelf: 'a', titles: ['Emma', 'Ice', 'Dune'], owner: 'me' });
    await expect(failure).rejects.toBeInstanceOf(SpecificationFailed);
    await expect(failure).rejects.toThrow(
      "Expected the document shelves/a of shelves_v1 to be { owner: 'me', shelf: 'a', titles: [ 'Emma', 'Ice', 'Dune' ] }\nbut it differs:\n" +
        "  $.owner: missing, expected 'me'\n" +
        '  $.titles: expected 3 items, got 2\n' +
        "  $.titles[1]: expected 'Ice', got 'Dune'\n" +
        "  $.titles[2]: missing, expected 'Dune'",
    );
  });

  it('fails a missing document naming what the collection holds instead', async () => {
    const spec = givenEvents(shelves, [shelved('a', 'Emma'), shelved('b', 'Dune')]);
    await expect(spec.thenDocument('shelves', 'z', { shelf: 'z', titles: [] })).rejects.toThrow(
      /shelves\/z of shelves_v1 to be .*\nbut the events wrote none \(the collection "shelves" holds "a", "b"\)/,
    );
    await expect(spec.thenDocument('rooms', 'z', {})).rejects.toThrow(/the collection "rooms" is empty/);
  });

  it('fails a collection with documents missing, unexpected or differing, one line each', async () => {
    const spec = givenEvents(shelves, [shelved('a', 'Emma'), shelved('b', 'Dune')]);
    await expect(spec.thenDocuments('shelves', { a: { shelf: 'a', titles: ['Ice'] }, c: { shelf: 'c', titles: [] } })).rejects.toThrow(
      'Expected the collection "shelves" of shelves_v1 to hold exactly the expected documents, but:\n' +
        `  "a" $.titles[0]: expected 'Ice', got 'Emma'\n` +
        `  "c": missing, expected { shelf: 'c', titles: [] }\n` +
        `  "b": not expected, got { shelf: 'b', titles: [ 'Dune' ] }`,
    );
  });

  it('fails thenNoDocument with the document the events wrote', async () => {
    await expect(givenEvents(shelves, [shelved('a', 'Emma')]).thenNoDocument('shelves', 'a')).rejects.toThrow(
      "Expected no document shelves/a of shelves_v1\nbut the events wrote { shelf: 'a', titles: [ 'Emma' ] }",
    );
  });

  it('compares strictly: a number is not its string, and an undefined member is not a missing one', async () => {
    const spec = givenEvents(shelves, [shelved('1', 'Emma')]);
    await expect(spec.thenDocument('shelves', '1', { shelf: 1, titles: ['Emma'] })).rejects.toThrow("$.shelf: expected 1, got '1'");
    await expect(spec.thenDocument('shelves', '1', { shelf: '1', titles: ['Emma'], lent: undefined })).rejects.toThrow('$.lent: missing, expected undefined');
  });

  it('projects later events as a batch of their own on the same store, leaving the first specification as it was', async () => {
    const first = givenEvents(shelves, [shelved('a', 'Emma'), cleared('b')]);
    const later = first.andEvents([shelved('a', 'Dune'), shelved('b', 'Ice')]);
    await later.thenDocuments('shelves', { a: { shelf: 'a', titles: ['Emma', 'Dune'] }, b: { shelf: 'b', titles: ['Ice'] } });
    expect(await (await later.store()).loadCheckpoint('shelves_v1')).toEqual({ commit: 4n, prepare: 4n });
    await first.thenDocuments('shelves', { a: { shelf: 'a', titles: ['Emma'] } });
  });

  it('rejects with the runner\'s ProjectionFailedError when a handler throws', async () => {
    const failure = givenEvents(shelves, [shelved('a', 'Emma'), { type: 'BookBurnt', data: { title: 'Emma' } }]).thenNoDocument('shelves', 'b');
    await expect(failure).rejects.toBeInstanceOf(ProjectionFailedError);
    await expect(failure).rejects.toThrow(/failed at position 2 on event "BookBurnt" .*no one burns Emma/);
  });

  it('is never a thenable: awaiting a specification gives it back and projects nothing; assertions project once', async () => {
    handled = 0;
    const spec = givenEvents(shelves, [shelved('a', 'Emma'), shelved('a', 'Dune')]);
    expect('then' in spec).toBe(false);
    expect(await spec).toBe(spec);
    expect(handled).toBe(0);
    await spec.thenDocument('shelves', 'a', { shelf: 'a', titles: ['Emma', 'Dune'] });
    await spec.thenNoDocument('shelves', 'b');
    expect(handled).toBe(2);
  });
});
