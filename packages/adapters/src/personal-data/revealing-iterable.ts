import type { RecordedEvent, Shredder } from '@clusterconf/domain';
import { SealedDataError } from '@clusterconf/domain';

const FINISHED: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A read (`readStream`, `readAll`) with its personal data opened. Events of types without personal fields pass
 * straight through; from one with personal fields on, up to `batchSize` events are read ahead, their subjects' keys
 * loaded in one round trip, and the batch opened. A value that does not authenticate fails the read at its event
 * with `SealedDataError`, after the events before it.
 */
export const revealingIterable = (source: AsyncIterable<RecordedEvent>, shredder: Shredder, batchSize: number): AsyncIterable<RecordedEvent> => ({
  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    let inner: AsyncIterator<RecordedEvent> | undefined;
    let ready: readonly (RecordedEvent | SealedDataError)[] = [];
    let index = 0;
    let done = false;
    const finish = async (): Promise<void> => {
      done = true;
      ready = [];
      await inner?.return?.();
    };
    const next = async (): Promise<IteratorResult<RecordedEvent>> => {
      if (index < ready.length) {
        const item = ready[index++]!;
        if (item instanceof SealedDataError) {
          await finish();
          throw item;
        }
        return { done: false, value: item };
      }
      if (done) return FINISHED;
      inner ??= source[Symbol.asyncIterator]();
      const first = await inner.next();
      if (first.done === true) {
        done = true;
        return FINISHED;
      }
      if (!shredder.holdsPersonalData(first.value.type)) return first;
      const batch = [first.value];
      while (batch.length < batchSize) {
        const more = await inner.next();
        if (more.done === true) {
          done = true;
          break;
        }
        batch.push(more.value);
      }
      try {
        ready = await shredder.reveal(batch);
      } catch (error) {
        // The key store failed: the read ends here, releasing the store's read.
        await finish();
        throw error;
      }
      index = 0;
      return next();
    };
    return {
      next,
      async return(): Promise<IteratorResult<RecordedEvent>> {
        await finish();
        return FINISHED;
      },
    };
  },
});
