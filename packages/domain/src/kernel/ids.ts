import { v7 as uuidv7 } from 'uuid';

/** A fresh UUID v7: time-ordered, so event ids sort roughly by creation. */
export const newEventId = (): string => uuidv7();

/**
 * A deterministic UUID v7 generator for reproducible histories: the same seed and the same times give the same ids.
 * Uses a small xorshift generator for the random bits; not for security.
 */
export const seededEventIds = (seed: number): ((at: Date) => string) => {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>>= 0) & 0xff;
  };
  return (at: Date) => uuidv7({ msecs: at.getTime(), random: Uint8Array.from({ length: 16 }, next), seq: 0 });
};
