import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import {
  lastRows,
  RequestScope,
  type RequestIsolation,
  type RequestScopeOptions,
} from './request-scope';
import { TenantContext } from './tenant-context';
import { tenantSettingSql } from './tenant-setting';

/**
 * Runs database work inside a transaction bound to one tenant: `app.tenant_id` is set with
 * `tenantSettingSql` (set_config on one node, SET LOCAL on Citus), so it ends with the transaction
 * and a pooled connection never carries
 * it into another request. Row-level security does the rest.
 */
@Injectable()
export class TenantTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly context: TenantContext,
  ) {}

  /**
   * Work on platform tables (tenants) and security-definer lookups, with no tenant set: any
   * tenant-owned table touched here raises in the database.
   */
  async runOutsideTenant<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    // Within a read request whose transaction is open, on its connection: a request holding one
    // pooled connection must never wait for a second, or requests holding all of them would wait
    // for each other for ever (a pool of two, `me { tenant }`, sixty requests). There the
    // principal's tenant is set, which gives such work no more than the principal may read.
    const shared = await this.context.requestScope()?.openManager();
    return fn(shared ?? this.dataSource.manager);
  }

  /**
   * Starts a request whose tenant work shares one transaction (see RequestScope), opened by its
   * first statement. The caller must `end` it when the request ends, also on errors. Undefined
   * outside a request context.
   */
  beginRequest(
    isolation: RequestIsolation,
    options: RequestScopeOptions = {},
  ): RequestScope | undefined {
    const scope = new RequestScope(this.dataSource, isolation, options);
    return this.context.setRequestScope(scope) ? scope : undefined;
  }

  /**
   * The rows of one statement (SQL text without parameters: ids are inlined, so only UUIDs are
   * accepted) run as `tenantId`/`userId`, in one round trip: as the first statement of the
   * request's shared transaction when there is one (opening it), else in a transaction of its
   * own (a multi-statement query is one implicit transaction, so the settings end with it).
   */
  async lookupAs<T>(tenantId: string, userId: string, statement: string): Promise<T[]> {
    const scope = this.context.requestScope();
    const shared = scope ? await scope.firstStatement<T>(tenantId, userId, statement) : undefined;
    if (shared) return shared;
    const settings = tenantSettingSql(tenantId, userId);
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as {
        query(text: string): Promise<Parameters<typeof lastRows>[0]>;
      };
      if (settings.length === 1)
        return lastRows<T>(await client.query(`${settings[0]}; ${statement}`));
      // Citus: SET LOCAL needs a transaction block, and each its own statement.
      await client.query('begin');
      try {
        for (const sql of settings) await client.query(sql);
        const rows = lastRows<T>(await client.query(statement));
        await client.query('commit');
        return rows;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Work as the authenticated principal's tenant. Nested calls join the outer transaction; within
   * a request with a shared transaction, every call joins that.
   */
  run<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const principal = this.context.principal();
    return this.inTenant(principal.tenantId, fn, principal.userId);
  }

  /**
   * `inTenant` in a transaction of its own that commits at once, even when called inside another
   * tenant transaction: for progress that others must see while a long transaction is still open.
   */
  inTenantApart<T>(tenantId: string, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.context.withoutTransaction(() => this.inTenant(tenantId, fn));
  }

  /**
   * Work in an explicitly named tenant, for code paths that establish identity themselves (sign-in,
   * API-key lookup, jobs carrying their tenant). Never call it with an id taken from client input.
   */
  async inTenant<T>(
    tenantId: string,
    fn: (manager: EntityManager) => Promise<T>,
    userId?: string,
  ): Promise<T> {
    const active = this.context.activeTransaction();
    if (active) {
      if (active.tenantId !== tenantId) {
        throw new Error(
          'A tenant transaction cannot be nested inside another tenant’s transaction',
        );
      }
      return fn(active.manager);
    }
    // The request's shared transaction: joined when it is open for this tenant, or opened by
    // work that names its user (the principal's); code establishing identity itself (an API
    // key's lookup, with no user yet) keeps a transaction of its own.
    const scope = this.context.requestScope();
    if (scope && (scope.openedFor === tenantId || (scope.openedFor === undefined && userId))) {
      const manager = await scope.managerFor(tenantId, userId ?? '');
      if (manager) {
        return this.context.withTransaction((bind) => {
          bind({ tenantId, manager });
          return fn(manager);
        });
      }
    }
    return this.context.withTransaction((bind) => {
      const work = async (manager: EntityManager) => {
        for (const statement of tenantSettingSql(tenantId, userId)) await manager.query(statement);
        bind({ tenantId, manager });
        return fn(manager);
      };
      // A read request's statements see one snapshot: a grant revoked between its read of a
      // partner's rows and its access-log entry for them cannot split the two (under READ
      // COMMITTED each statement took a new snapshot, and the entry was then refused: a 500).
      return this.context.oneSnapshot()
        ? this.dataSource.transaction('REPEATABLE READ', work)
        : this.dataSource.transaction(work);
    });
  }
}
