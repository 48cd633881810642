import type pg from 'pg';
import { connectionFailure, isConnectionError } from './connection-errors.js';
import { postgresStatements, type PostgresStatements } from './statements.js';

/**
 * How the event store's parts query one schema: each statement runs as a named prepared statement (one per schema,
 * so stores on two schemas never share a plan), with a server that cannot be reached reported as such.
 */
export class StoreQueries {
  readonly sql: PostgresStatements;

  constructor(readonly pool: pg.Pool, readonly schema: string) {
    this.sql = postgresStatements(schema);
  }

  /** Runs `text` as the prepared statement `name`; a connection failure becomes `StoreUnavailableError`. */
  async run<Row extends object>(name: string, text: string, values?: readonly unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      return await this.runAsIs<Row>(name, text, values);
    } catch (error) {
      throw isConnectionError(error) ? connectionFailure(error, this.pool.options) : error;
    }
  }

  /** Runs `text` as the prepared statement `name`, leaving every error as the driver raised it. */
  runAsIs<Row extends object>(name: string, text: string, values?: readonly unknown[]): Promise<pg.QueryResult<Row>> {
    return this.pool.query<Row>({ name: `cc-${name}:${this.schema}`, text, values: values as unknown[] | undefined });
  }
}
