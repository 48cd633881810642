import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrowingMap } from './growing-map.js';

describe('GrowingMap', () => {
  it('keeps every version as it was when later versions and forks grow', () => {
    const v0 = GrowingMap.empty<string, number>();
    const v1 = v0.add('a', 1);
    const v2 = v1.add('b', 2);
    const fork = v1.add('c', 3);
    expect([...v0]).toEqual([]);
    expect([...v1]).toEqual([['a', 1]]);
    expect([...v2]).toEqual([['a', 1], ['b', 2]]);
    expect([...fork]).toEqual([['a', 1], ['c', 3]]);
    expect([v2.has('c'), fork.has('b'), v1.get('b'), fork.get('c'), fork.size]).toEqual([false, false, undefined, 3, 2]);
  });

  it('keeps the first value of a key added twice', () => {
    const map = GrowingMap.empty<string, number>().add('a', 1);
    expect(map.add('a', 2)).toBe(map);
  });

  it('behaves like copying a Map per add, for any sequence of adds on any versions', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.integer()), { maxLength: 60 }), (ops) => {
        const versions: GrowingMap<string, number>[] = [GrowingMap.empty()];
        const models: Map<string, number>[] = [new Map()];
        for (const [pick, key, value] of ops) {
          const index = pick % versions.length;
          versions.push(versions[index]!.add(key, value));
          const model = new Map(models[index]!);
          if (!model.has(key)) model.set(key, value);
          models.push(model);
        }
        versions.forEach((version, index) => {
          expect([...version.entries()]).toEqual([...models[index]!.entries()]);
          expect(version.size).toBe(models[index]!.size);
          for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) expect(version.get(key)).toBe(models[index]!.get(key));
        });
      }),
    );
  });
});
