import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { ClubsService } from '@schoolbench/clubs';
import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { badInput, forbidden, notFound } from '@schoolbench/graphql';
import { ProtocolsService, ProtocolStatus } from '@schoolbench/sharing';
import { TenantContext, TenantTransactions, type Principal } from '@schoolbench/tenancy';

/** The user id recorded as the actor of what the platform does on an authority's behalf. */
export const PLATFORM_ACTOR = '00000000-0000-0000-0000-000000000000';

export interface TenantExit {
  tenantId: string;
  laCode: string;
  name: string;
  reason: string;
  startedAt: Date;
  deleteAfter: Date;
  completedAt: Date | null;
  /** Rows deleted per table, once the deletion ran. */
  deletedRows: Record<string, number> | null;
}

/** What starting an exit did to the authority's protocols and clubs. */
export interface TenantExitStarted extends TenantExit {
  protocols: { id: string; ownerTenantId: string; ended: 'revoked' | 'suspended' }[];
  clubMembershipsEnded: number;
}

interface TenantRow {
  id: string;
  kind: string;
  la_code: string | null;
  name: string;
  status: string;
  exit_started_at: Date | null;
  exit_reason: string | null;
  exit_delete_after: Date | null;
  exit_completed_at: Date | null;
  exit_deleted_rows: Record<string, number> | null;
}

/**
 * An authority leaving SchoolBench (docs/sharing.md §11). Starting suspends it, ends its
 * protocols through the protocol lifecycle (so grants go and partners' runs that used them turn
 * stale in the same transaction as any other revocation) and takes its schools out of every club.
 * After the retention period every row with its tenant_id is deleted by `tenant_exit_delete`.
 */
@Injectable()
export class TenantExitService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly protocols: ProtocolsService,
    private readonly clubs: ClubsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Idempotent: running it again after a failure finishes the steps not yet done. */
  async start(
    tenantId: string,
    input: { reason: string; retentionDays?: number },
  ): Promise<TenantExitStarted> {
    const reason = input.reason.trim();
    if (!reason || reason.length > 500) {
      throw badInput('The reason for the exit must have 1 to 500 characters', { field: 'reason' });
    }
    const days = input.retentionDays ?? this.config.TENANT_EXIT_RETENTION_DAYS;
    if (!Number.isInteger(days) || days < 0) {
      throw badInput(`Retention days must be a whole number ≥ 0, not ${days}`, {
        field: 'retentionDays',
      });
    }
    const tenant = await this.tx.runOutsideTenant(async (m) => {
      const row = await this.row(m, tenantId, true);
      if (row.exit_completed_at) {
        throw badInput(`${row.name} has already left: its rows were deleted`, { field: 'tenant' });
      }
      if (!row.exit_started_at) {
        await m.query(
          `update tenants set status = 'suspended', exit_started_at = now(), exit_reason = $2,
             exit_delete_after = now() + make_interval(days => $3)
           where id = $1`,
          [tenantId, reason, days],
        );
      }
      return this.row(m, tenantId);
    });
    const recorded = `${tenant.name} (${tenant.la_code}) left SchoolBench: ${tenant.exit_reason}`;

    // Its protocols end through the lifecycle, as their owners would end them.
    const ended: TenantExitStarted['protocols'] = [];
    const visible = await this.actAsAdmin(tenantId, () => this.protocols.list());
    for (const p of visible) {
      const own = p.ownerTenantId === tenantId;
      if (
        own &&
        [ProtocolStatus.PROPOSED, ProtocolStatus.ACTIVE, ProtocolStatus.SUSPENDED].includes(
          p.status,
        )
      ) {
        await this.actAsAdmin(tenantId, () => this.protocols.revoke(p.id, recorded));
        ended.push({ id: p.id, ownerTenantId: p.ownerTenantId, ended: 'revoked' });
      } else if (!own && p.status === ProtocolStatus.ACTIVE) {
        // Another owner's protocol: sharing stops for every party; the owner may amend it
        // without the authority that left and have it signed again.
        await this.actAsAdmin(p.ownerTenantId, () => this.protocols.suspend(p.id, recorded));
        ended.push({ id: p.id, ownerTenantId: p.ownerTenantId, ended: 'suspended' });
      } else if (!own && p.status === ProtocolStatus.PROPOSED) {
        // It can never be signed by every party now.
        await this.actAsAdmin(p.ownerTenantId, () => this.protocols.revoke(p.id, recorded));
        ended.push({ id: p.id, ownerTenantId: p.ownerTenantId, ended: 'revoked' });
      }
    }
    const clubMembershipsEnded = await this.actAsAdmin(tenantId, () =>
      this.clubs.withdrawAuthority(),
    );
    return { ...this.model(tenant), protocols: ended, clubMembershipsEnded };
  }

  /**
   * Deletes every row of the authority. Refused (by the database too) before its exit started
   * or, unless `now` is confirmed by the operator, before the retention period is over.
   */
  async deleteRows(tenantId: string, options: { now?: boolean } = {}): Promise<TenantExit> {
    await this.tx.inTenant(tenantId, async (m) => {
      // Read, not locked: `tenant_exit_delete` locks the row and checks again as the retention
      // role. On Citus a row locked or written by the app role and then by the definer in one
      // transaction deadlocks (one backend per user and node: docs/scaling.md §9.4).
      const row = await this.row(m, tenantId);
      if (!row.exit_started_at) {
        throw badInput(`The exit of ${row.name} has not been started (tenant:exit first)`, {
          field: 'tenant',
        });
      }
      if (!options.now && !row.exit_completed_at && row.exit_delete_after! > new Date()) {
        throw badInput(
          `The rows of ${row.name} are kept until ${row.exit_delete_after!.toISOString()} (the exit's retention period); confirm to delete them now`,
          { field: 'tenant' },
        );
      }
      try {
        await m.query('select tenant_exit_delete($1, $2)', [tenantId, options.now === true]);
      } catch (error) {
        if ((error as { code?: string }).code === '42501')
          throw forbidden((error as Error).message);
        throw error;
      }
    });
    // After the commit: on Citus the app role may not read what the definer wrote in the same
    // transaction ("modified in this transaction by a different user").
    return this.model(await this.tx.inTenant(tenantId, (m) => this.row(m, tenantId)));
  }

  /** Deletes the rows of every authority whose retention period is over (the scheduled job). */
  async deleteDue(): Promise<TenantExit[]> {
    const due = await this.tx.runOutsideTenant((m) =>
      m.query<{ id: string }[]>(
        `select id from tenants where exit_started_at is not null and exit_completed_at is null
           and exit_delete_after <= now() order by exit_delete_after`,
      ),
    );
    const done: TenantExit[] = [];
    for (const { id } of due) done.push(await this.deleteRows(id));
    return done;
  }

  async get(tenantId: string): Promise<TenantExit | null> {
    const row = await this.tx.runOutsideTenant((m) => this.row(m, tenantId));
    return row.exit_started_at ? this.model(row) : null;
  }

  private actAsAdmin<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const principal: Principal = {
      tenantId,
      userId: PLATFORM_ACTOR,
      role: 'la_admin',
      schoolUrn: null,
      via: 'cli',
    };
    return this.context.runAs(principal, fn);
  }

  private async row(m: EntityManager, tenantId: string, lock = false): Promise<TenantRow> {
    const [row] = await m.query<TenantRow[]>(
      `select id, kind, la_code, name, status, exit_started_at, exit_reason, exit_delete_after,
              exit_completed_at, exit_deleted_rows
       from tenants where id = $1${lock ? ' for update' : ''}`,
      [tenantId],
    );
    if (!row) throw notFound(`Tenant ${tenantId}`);
    if (row.kind !== 'authority') {
      throw badInput(`Only an authority can leave; ${row.name} is the ${row.kind} tenant`, {
        field: 'tenant',
      });
    }
    return row;
  }

  private model(row: TenantRow): TenantExit {
    return {
      tenantId: row.id,
      laCode: row.la_code!,
      name: row.name,
      reason: row.exit_reason!,
      startedAt: row.exit_started_at!,
      deleteAfter: row.exit_delete_after!,
      completedAt: row.exit_completed_at,
      deletedRows: row.exit_deleted_rows,
    };
  }
}
