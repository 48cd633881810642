interface Slot<V> {
  readonly ordinal: number;
  readonly value: V;
}

/**
 * An immutable map that only grows, with O(1) `add` to its newest version. Versions share one underlying Map whose
 * entries carry the ordinal they were added at; a version sees the entries below its size. Adding to an older
 * version (a fork, e.g. two decisions from one cached state) copies the entries it sees first. So folding n
 * registrations costs O(n), where copying a Map per event would cost O(n²).
 */
export class GrowingMap<K, V> implements ReadonlyMap<K, V> {
  readonly #shared: Map<K, Slot<V>>;
  readonly size: number;

  private constructor(shared: Map<K, Slot<V>>, size: number) {
    this.#shared = shared;
    this.size = size;
  }

  /** An empty map. */
  static empty<K, V>(): GrowingMap<K, V> {
    return new GrowingMap(new Map(), 0);
  }

  /** This map plus one key; a key it already has keeps its first value. */
  add(key: K, value: V): GrowingMap<K, V> {
    if (this.has(key)) return this;
    let shared = this.#shared;
    if (shared.size !== this.size) {
      shared = new Map();
      for (const [k, slot] of this.#shared) if (slot.ordinal < this.size) shared.set(k, slot);
    }
    shared.set(key, { ordinal: this.size, value });
    return new GrowingMap(shared, this.size + 1);
  }

  /** The value of a key this version has. */
  get(key: K): V | undefined {
    const slot = this.#shared.get(key);
    return slot !== undefined && slot.ordinal < this.size ? slot.value : undefined;
  }

  /** Whether this version has the key. */
  has(key: K): boolean {
    const slot = this.#shared.get(key);
    return slot !== undefined && slot.ordinal < this.size;
  }

  #visible(): Map<K, V> {
    const out = new Map<K, V>();
    for (const [key, slot] of this.#shared) if (slot.ordinal < this.size) out.set(key, slot.value);
    return out;
  }

  /** Calls `callback` for each entry in insertion order. */
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.#visible().forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  /** Entries in insertion order. */
  entries() {
    return this.#visible().entries();
  }

  /** Keys in insertion order. */
  keys() {
    return this.#visible().keys();
  }

  /** Values in insertion order. */
  values() {
    return this.#visible().values();
  }

  /** Entries in insertion order. */
  [Symbol.iterator]() {
    return this.#visible()[Symbol.iterator]();
  }

  /** A plain object of the entries, so that JSON output and deep equality see the contents. */
  toJSON(): { readonly entries: [K, V][] } {
    return { entries: [...this.entries()] };
  }
}
