import { QueryFailedError, QueryResult } from 'typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

import { tenantSettingSql } from './tenant-setting';

/** Hot statements of the request path, by text: their names as server-side prepared statements. */
const PREPARED = new Map<string, string>();

/**
 * Registers `text` (a parameterised statement the request path sends on every request) to be sent
 * as a named prepared statement within a request's shared transaction: each pooled connection
 * parses it once instead of on every request. Only fixed texts, registered at module load: a
 * connection keeps every statement prepared on it for its lifetime. Only reads that call no
 * function able to write (STABLE or IMMUTABLE ones): a request whose statements are all
 * registered is answered without waiting for its COMMIT (`RequestScope.onlyRead`).
 */
export function preparedStatement(text: string): string {
  if (!PREPARED.has(text)) PREPARED.set(text, `sb_${PREPARED.size + 1}`);
  return text;
}

/** The isolation a request's shared transaction opens at. */
export type RequestIsolation = 'REPEATABLE READ' | 'READ COMMITTED';

/** What a pg client answers for one statement of a (possibly multi-statement) simple query. */
interface PgResult {
  command: string;
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

interface PgClient {
  query(text: string): Promise<PgResult | PgResult[]>;
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<PgResult>;
  /** node-postgres's pipeline mode: each statement is written at once, answered in order. */
  pipeline?: boolean;
  connection?: { stream?: { cork?(): void; uncork?(): void } };
}

/** How a request's statements go out on its connection. */
export interface RequestScopeOptions {
  /**
   * Statements that the request's resolvers send in the same turn of the event loop (sibling
   * fields: a run's groups and its benchmarks) go out together, in one write, and are answered
   * in order (node-postgres's pipeline mode), instead of each waiting for the one before. Only
   * for requests that read with plain statements (no cursors or streams, which pipeline mode
   * refuses).
   */
  pipelined?: boolean;
}

/** The rows of the last statement of a simple query. */
export function lastRows<T>(result: PgResult | PgResult[]): T[] {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return (last?.rows ?? []) as T[];
}

interface Opened {
  tenantId: string;
  runner: QueryRunner;
  client: PgClient;
}

/** How a request scope ended: whether its transaction committed. */
export interface ScopeOutcome {
  /** The transaction was opened at all (some statement ran in it). */
  opened: boolean;
  /** It committed; false when it was rolled back, aborted by a failed statement, or lost. */
  committed: boolean;
  /** Why ending it failed (the connection lost), when it did. */
  failure?: unknown;
}

/**
 * One read request's tenant transaction, shared by everything the request does in its tenant
 * (resolvers, DataLoaders, the principal lookup): opened lazily by the first statement, in the
 * same round trip as it (`BEGIN …; set_config …; <statement>`), committed or rolled back once at
 * the end of the request by whoever created the scope, and its connection always released.
 *
 * Parallel resolvers share the one connection: node-postgres queues their statements. The
 * transaction sees one snapshot (REPEATABLE READ), so anything derived from it (a run's served
 * check) is the same for the whole request and may be remembered for it (`once`).
 */
export class RequestScope {
  private opening?: Promise<Opened>;
  private ended = false;
  private ending?: Promise<ScopeOutcome>;
  private readonly remembered = new Map<string, Promise<unknown>>();
  /** The statements of the request, one after another on its one connection. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Writes that wait for the end of the request (`beforeCommit`), in the order given. */
  private readonly deferred: (() => Promise<unknown>)[] = [];
  /** Pipelined: the connection's socket is held (corked) until the current turn ends. */
  private corked = false;
  /** Statements sent and not yet answered. */
  private pending = 0;
  /** A statement not known to only read was sent, or one failed. */
  private wroteOrFailed = false;

  constructor(
    private readonly dataSource: DataSource,
    readonly isolation: RequestIsolation,
    private readonly options: RequestScopeOptions = {},
  ) {}

  /** The tenant the transaction was opened for; undefined while none was. */
  openedFor: string | undefined;

  get active(): boolean {
    return !this.ended;
  }

  /**
   * Every statement of the transaction so far has been answered without error, and each is
   * known to only read: the opening lookup (`lookupAs` is for lookups) and the registered hot
   * statements (`preparedStatement`: reads calling only STABLE functions). Anything else (an
   * access-log entry, any other statement) counts as a write. Its COMMIT then makes nothing
   * durable: an answer need not wait for it.
   */
  get onlyRead(): boolean {
    // Writes deferred to the commit (`beforeCommit`, Citus' access log) are writes too.
    return this.pending === 0 && !this.wroteOrFailed && this.deferred.length === 0;
  }

  /**
   * The shared transaction's manager when it can serve `tenantId`: opening it if none was yet.
   * Undefined once the request has ended or when it was opened for another tenant (the caller
   * then works in a transaction of its own, as outside a request).
   */
  async managerFor(tenantId: string, userId: string): Promise<EntityManager | undefined> {
    if (this.ended || (this.openedFor !== undefined && this.openedFor !== tenantId)) {
      return undefined;
    }
    const opened = await this.open(tenantId, userId, undefined);
    return opened?.runner.manager;
  }

  /** The shared transaction's manager if it is open (or opening); undefined otherwise. */
  async openManager(): Promise<EntityManager | undefined> {
    if (this.ended || !this.opening) return undefined;
    return (await this.opening).runner.manager;
  }

  /**
   * Runs `statement` (SQL text with no parameters) as the first statement of the shared
   * transaction, opening it in the same round trip; when it is open already, runs it in it.
   * Undefined when the scope cannot serve `tenantId` (see `managerFor`).
   */
  async firstStatement<T>(
    tenantId: string,
    userId: string,
    statement: string,
  ): Promise<T[] | undefined> {
    if (this.ended || (this.openedFor !== undefined && this.openedFor !== tenantId)) {
      return undefined;
    }
    if (this.opening) {
      const opened = await this.opening;
      return lastRows<T>(
        await this.send(opened.client, () => opened.client.query(statement), true),
      );
    }
    let rows: T[] = [];
    const opened = await this.open(
      tenantId,
      userId,
      (result) => {
        rows = lastRows<T>(result);
      },
      statement,
    );
    return opened ? rows : undefined;
  }

  /**
   * `compute` once per request for `key`, when `manager` is this scope's: the request sees one
   * snapshot, so the answer cannot change within it. Outside the scope, computed every time.
   */
  once<T>(manager: EntityManager, key: string, compute: () => Promise<T>): Promise<T> {
    if (this.ended || !this.opening || manager.queryRunner === undefined) return compute();
    const opening = this.opening;
    return opening.then((opened) => {
      if (manager.queryRunner !== opened.runner) return compute();
      let found = this.remembered.get(key) as Promise<T> | undefined;
      if (!found) {
        found = compute();
        this.remembered.set(key, found);
      }
      return found;
    });
  }

  /**
   * Runs `write` in this scope's transaction just before it commits (never if it rolls back),
   * when `manager` is the scope's; otherwise at once. A failed write rolls the request back, so
   * its answer is withheld as when the commit fails.
   */
  async beforeCommit(
    manager: EntityManager,
    write: (manager: EntityManager) => Promise<unknown>,
  ): Promise<void> {
    if (this.ended || !this.opening || manager.queryRunner === undefined) {
      await write(manager);
      return;
    }
    const opened = await this.opening;
    if (manager.queryRunner !== opened.runner) {
      await write(manager);
      return;
    }
    this.deferred.push(() => write(manager));
  }

  private inTurn<T>(send: () => Promise<T>): Promise<T> {
    const sent = this.queue.then(send, send);
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  /**
   * Sends a statement on the open connection: pipelined, at once, in the write that the
   * statements of this turn share; otherwise after the one before has been answered.
   */
  private send<T>(client: PgClient, send: () => Promise<T>, reads: boolean): Promise<T> {
    if (!reads) this.wroteOrFailed = true;
    this.pending++;
    const sent = this.sendNow(client, send);
    sent.then(
      (result) => {
        this.pending--;
        if (!onlyReads(result)) this.wroteOrFailed = true;
      },
      () => {
        this.pending--;
        this.wroteOrFailed = true;
      },
    );
    return sent;
  }

  private sendNow<T>(client: PgClient, send: () => Promise<T>): Promise<T> {
    if (!client.pipeline) return this.inTurn(send);
    const stream = client.connection?.stream;
    if (!this.corked && stream?.cork && stream.uncork) {
      // Held until the turn's promise callbacks have run (resolvers of sibling fields send
      // theirs in them), then written at once: one system call for all of them.
      this.corked = true;
      stream.cork();
      process.nextTick(() => {
        this.corked = false;
        stream.uncork!();
      });
    }
    return send();
  }

  private open(
    tenantId: string,
    userId: string,
    onFirst: ((result: PgResult | PgResult[]) => void) | undefined,
    statement?: string,
  ): Promise<Opened> {
    if (this.opening) return this.opening;
    this.openedFor = tenantId;
    this.opening = (async () => {
      const runner = this.dataSource.createQueryRunner();
      let client: PgClient | undefined;
      try {
        client = (await runner.connect()) as PgClient;
        const begin = [
          `begin isolation level ${this.isolation}`,
          ...tenantSettingSql(tenantId, userId),
        ];
        let result: PgResult | PgResult[];
        if (begin.length === 2) {
          // One round trip: the transaction, its tenant and (when given) the first statement.
          result = await client.query([...begin, ...(statement ? [statement] : [])].join('; '));
        } else {
          // Citus forwards each SET LOCAL by its own statement text: one statement per query.
          for (const sql of begin) result = await client.query(sql);
          result = await client.query(statement ?? 'select 1');
        }
        markTransaction(runner, true);
        // Parallel resolvers share the connection: their statements are sent in turn (a pg
        // client no longer queues them itself from pg 9), or pipelined (answered in order). Set
        // back before the connection returns to the pool (finish). Straight on the pg client:
        // TypeORM's `query` (logger, broadcaster, timing) cost a fifth of the request's CPU;
        // what it returns and throws is kept (QueryFailedError, UPDATE/DELETE's [rows, count]).
        const pg = client;
        if (this.options.pipelined) pg.pipeline = true;
        runner.query = ((text: string, values?: unknown[], structured?: boolean) =>
          this.send(pg, () => rawQuery(pg, text, values), PREPARED.has(text)).then((raw) =>
            asTypeorm(raw, structured),
          )) as QueryRunner['query'];
        onFirst?.(result);
        return { tenantId, runner, client };
      } catch (error) {
        this.wroteOrFailed = true;
        // Nothing to keep: a failed opening leaves no transaction (or an aborted one) behind. A
        // connection that cannot even roll back is discarded.
        const rolledBack = client
          ? await client.query('rollback').then(
              () => true,
              () => false,
            )
          : false;
        await releaseRunner(runner, rolledBack ? undefined : error);
        throw error;
      }
    })();
    return this.opening;
  }

  /**
   * Ends the request's transaction: commits (or rolls back) and releases the connection, also
   * when the commit fails. Safe to call more than once; only the first call acts.
   */
  end(intent: 'commit' | 'rollback'): Promise<ScopeOutcome> {
    // A later call learns how the first ended it (a streamed download's transaction is ended by
    // the response's close, before its handler's interceptor asks).
    this.ending ??= this.finish(intent);
    return this.ending;
  }

  private async finish(intent: 'commit' | 'rollback'): Promise<ScopeOutcome> {
    this.ended = true;
    if (!this.opening) return { opened: false, committed: false };
    let opened: Opened;
    try {
      opened = await this.opening;
    } catch (error) {
      return { opened: true, committed: false, failure: error };
    }
    let failure: unknown;
    let committed = false;
    try {
      if (intent === 'commit') {
        try {
          for (const write of this.deferred.splice(0)) await write();
        } catch (error) {
          failure = error;
          intent = 'rollback';
        }
      }
      const result = await this.send(opened.client, () => opened.client.query(intent), false);
      // Postgres answers COMMIT of a transaction that a failed statement aborted with ROLLBACK.
      committed = intent === 'commit' && !Array.isArray(result) && result.command === 'COMMIT';
    } catch (error) {
      failure = error;
    } finally {
      opened.client.pipeline = false;
      markTransaction(opened.runner, false);
      // A connection whose transaction could not be ended is discarded, not pooled.
      await releaseRunner(opened.runner, failure);
    }
    return { opened: true, committed, failure };
  }
}

/** Whether a pg answer (one result or a simple query's several) only read. */
function onlyReads(result: unknown): boolean {
  const results = (Array.isArray(result) ? result : [result]) as Partial<PgResult>[];
  return results.every((r) => r && READ_COMMANDS.has(r.command ?? ''));
}

const READ_COMMANDS = new Set(['SELECT', 'SET', 'SHOW', 'BEGIN']);

/** A statement on the pg client; failures as TypeORM's PostgresQueryRunner throws them. */
async function rawQuery(
  client: PgClient,
  text: string,
  values: unknown[] | undefined,
): Promise<PgResult> {
  try {
    const name = values?.length ? PREPARED.get(text) : undefined;
    return await client.query(name ? { name, text, values } : { text, values });
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}

/** A pg answer as TypeORM's PostgresQueryRunner answers it. */
function asTypeorm(raw: PgResult, structured: boolean | undefined): unknown {
  const rows =
    raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows;
  if (!structured) return rows;
  const result = new QueryResult();
  result.records = raw.rows;
  result.affected = raw.rowCount ?? undefined;
  result.raw = rows;
  return result;
}

/** TypeORM's own flag: set by hand, since the transaction was begun in the opening round trip. */
function markTransaction(runner: QueryRunner, active: boolean): void {
  (runner as { isTransactionActive: boolean }).isTransactionActive = active;
}

async function releaseRunner(runner: QueryRunner, error: unknown): Promise<void> {
  const release = (
    runner as unknown as { releasePostgresConnection?: (e?: unknown) => Promise<void> }
  ).releasePostgresConnection;
  if (error !== undefined && release) await release.call(runner, error);
  else await runner.release();
}
