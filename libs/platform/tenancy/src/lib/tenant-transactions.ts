import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { TenantContext } from './tenant-context';
import { tenantSettingSql } from './tenant-setting';

/**
 * Runs database work inside a transaction bound to one tenant: `app.tenant_id` is set with
 * `SET LOCAL` (`tenantSettingSql`), so it ends with the transaction and a pooled connection never carries
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
  runOutsideTenant<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return fn(this.dataSource.manager);
  }

  /** Work as the authenticated principal's tenant. Nested calls join the outer transaction. */
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
