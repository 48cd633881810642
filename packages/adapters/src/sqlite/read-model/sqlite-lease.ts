import Database from 'better-sqlite3';
import { StoreClosedError } from '@clusterconf/domain';
import type { Lease } from '@clusterconf/projections';

/** The file whose lock is a namespace's lease: `<database file>.lease-<namespace>`, beside the database. */
export const leaseFilePath = (databasePath: string, namespace: string): string => `${databasePath}.lease-${namespace}`;

/**
 * How long one attempt waits for the lock. Not zero: `BEGIN EXCLUSIVE` passes through a SHARED lock, so two
 * contenders starting at the same instant could each see the other's SHARED lock and both give up, leaving the
 * lease unheld until their next retry. A few milliseconds let one of them through; it is also how long a standby's
 * attempt blocks its (synchronous) connection while the lease is held elsewhere.
 */
const ATTEMPT_TIMEOUT_MS = 20;

const isBusy = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
};

/**
 * The leases one store has handed out, so `close()` can end them. A lease is an open `BEGIN EXCLUSIVE` on its own
 * connection to a sidecar file: SQLite takes POSIX (fcntl) locks, which the operating system drops the moment the
 * holding process dies, however it dies (SIGKILL included), so a standby's next attempt succeeds. Inside one process
 * SQLite tracks those locks per file itself, so two connections of one process exclude each other as well.
 */
export class SqliteLeases {
  readonly #held = new Set<{ readonly abort: AbortController; readonly release: () => void }>();
  readonly #local = new Map<string, object>();

  /**
   * Tries the sidecar file's exclusive lock, waiting at most `ATTEMPT_TIMEOUT_MS`. `databasePath` undefined means an
   * in-memory database, which no other process can open: the lease is then process-local.
   */
  acquire(databasePath: string | undefined, namespace: string, owner: string): Lease | undefined {
    const abort = new AbortController();
    let release: () => void;
    if (databasePath === undefined) {
      if (this.#local.has(namespace)) return undefined;
      const token = {};
      this.#local.set(namespace, token);
      release = () => {
        if (this.#local.get(namespace) === token) this.#local.delete(namespace);
      };
    } else {
      const connection = new Database(leaseFilePath(databasePath, namespace), { timeout: ATTEMPT_TIMEOUT_MS });
      try {
        connection.exec('BEGIN EXCLUSIVE');
      } catch (error) {
        connection.close();
        if (isBusy(error)) return undefined;
        throw error;
      }
      release = () => {
        // Closing the connection ends the transaction and drops the lock.
        if (connection.open) connection.close();
      };
    }
    const held = { abort, release };
    this.#held.add(held);
    let released = false;
    return {
      namespace,
      owner,
      lost: abort.signal,
      release: () => {
        if (!released) {
          released = true;
          this.#held.delete(held);
          release();
        }
        return Promise.resolve();
      },
    };
  }

  /** Ends every lease of a closing store; their holders see `lost` abort. */
  closeAll(what: string): void {
    for (const held of this.#held) {
      held.release();
      held.abort.abort(new StoreClosedError(what));
    }
    this.#held.clear();
  }
}
