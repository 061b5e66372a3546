import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { TenantTransactions } from '@schoolbench/tenancy';

import { TenantExitService, type TenantExit } from '../exit/tenant-exit.service';
import { expireTenantExports } from '../export/tenant-exports.service';

/** Rows removed of one kind: in all, and per tenant id. */
export interface RemovedRows {
  total: number;
  by_tenant: Record<string, number>;
}

export interface RetentionOutcome {
  removed: Record<
    'access_log' | 'failed_datasets' | 'finished_runs' | 'expired_invitations',
    RemovedRows
  >;
  /** Exports past their expiry, marked `expired` with their archives deleted. */
  expiredExports: RemovedRows;
  /** Authorities whose rows were deleted because their exit's retention period ended. */
  exitsCompleted: Pick<TenantExit, 'tenantId' | 'laCode' | 'name'>[];
}

/**
 * Keeps data only as long as configured (RETENTION_* settings; docs/operations.md "Retention").
 * The deletions happen in `retention_apply`, which records each run in `retention_runs`.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly exits: TenantExitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async apply(): Promise<RetentionOutcome> {
    const c = this.config;
    const [row] = await this.tx.runOutsideTenant((m) =>
      m.query<{ removed: RetentionOutcome['removed'] }[]>(
        'select retention_apply($1, $2, $3, $4) as removed',
        [
          c.RETENTION_ACCESS_LOG_DAYS,
          c.RETENTION_FAILED_DATASETS_DAYS,
          c.RETENTION_FINISHED_RUNS_DAYS,
          c.RETENTION_EXPIRED_INVITATIONS_DAYS,
        ],
      ),
    );
    const expiredExports = await this.expireExports();
    const exits = await this.exits.deleteDue();
    return {
      removed: row.removed,
      expiredExports,
      exitsCompleted: exits.map((e) => ({ tenantId: e.tenantId, laCode: e.laCode, name: e.name })),
    };
  }

  /**
   * An archive nobody asks about again would otherwise stay until its authority next touches its
   * exports: each tenant's expired archives go in that tenant's own transaction, under its RLS.
   */
  private async expireExports(): Promise<RemovedRows> {
    const tenants = await this.tx.runOutsideTenant((m) =>
      m.query<{ id: string }[]>('select id from tenants order by id'),
    );
    const outcome: RemovedRows = { total: 0, by_tenant: {} };
    for (const { id } of tenants) {
      const n = await this.tx.inTenant(id, (m) => expireTenantExports(m, id));
      if (n === 0) continue;
      outcome.total += n;
      outcome.by_tenant[id] = n;
    }
    return outcome;
  }
}
