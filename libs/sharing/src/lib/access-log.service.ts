import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { decodeCursor, encodeCursor, type Connection } from '@schoolbench/graphql';
import { configuredDistribution, TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import type { AccessLogEntryModel, AccessLogFilter } from './models/access-log.model';

/**
 * Reads already grouped under the protocol that allowed them (pseudonymised and aggregate paths,
 * where the reader cannot look the grant up itself): one access-log entry each.
 */
export interface ProtocolRead {
  ownerTenantId: string;
  protocolOwnerId: string;
  protocolId: string;
  protocolVersion: number;
  operation: string;
  urns: number[];
  measures: string[];
  rowCount: number;
}

/** One partner row a request returned: whose, which school, and (for data) which measure. */
export interface PartnerRead {
  tenantId: string;
  urn: number;
  measure?: string;
  period?: number;
}

interface GrantRow {
  tenant_id: string;
  protocol_owner_id: string;
  protocol_id: string;
  protocol_version: number;
  measure: string;
  period_from: number;
  period_to: number;
}

interface AccessLogRow {
  tenant_id: string;
  id: string;
  at: Date;
  reader_tenant_id: string;
  reader_name: string;
  reader_la_code: string | null;
  reader_user_id: string | null;
  protocol_id: string;
  protocol_version: number;
  operation: string;
  urns: number[];
  measures: string[];
  row_count: number;
}

/**
 * The append-only record of cross-tenant reads (SPEC §6). Entries are written in the reading
 * transaction itself, one row per owner and protocol per read (a batch, not a row per cell), so
 * an entry exists exactly when the read happened. The app role may insert and select only.
 */
@Injectable()
export class AccessLog {
  /** The public reference tenant's id: fixed for the life of a database, looked up once. */
  private publicTenantId: string | undefined;

  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
  ) {}

  /**
   * Records the partner rows among `reads` (rows of the caller's own tenant or of the public
   * reference tenant are not cross-tenant reads and are skipped). Call inside the reading
   * transaction.
   */
  async record(
    m: EntityManager,
    operation: string,
    reads: readonly PartnerRead[],
    reader?: { tenantId: string; userId: string | null },
  ): Promise<void> {
    const principal = reader ? null : this.context.principal();
    const me = reader ?? {
      tenantId: principal!.tenantId,
      userId: principal!.via === 'job' ? null : principal!.userId,
    };
    // Own and public rows need no lookups: most answers have no partner rows at all.
    const others = reads.filter((r) => r.tenantId !== me.tenantId);
    if (others.length === 0) return;
    const publicTenant = await this.publicTenant(m);
    const partner = others.filter((r) => r.tenantId !== publicTenant);
    if (partner.length === 0) return;
    const owners = [...new Set(partner.map((r) => r.tenantId))];
    const grants = await m.query<GrantRow[]>(
      `select tenant_id, protocol_owner_id, protocol_id, protocol_version, measure, period_from, period_to
         from sharing_grants where grantee_tenant_id = $1 and tenant_id = any($2)
           and disclosure = 'named' and current_date between valid_from and valid_to
         order by protocol_owner_id, protocol_id`,
      [me.tenantId, owners],
    );
    const reach = await m.query<{ tenant_id: string; urn: number; protocol_id: string }[]>(
      `select tenant_id, urn, protocol_id from sharing_reach
         where grantee_tenant_id = $1 and tenant_id = any($2) and urn = any($3)`,
      [me.tenantId, owners, [...new Set(partner.map((r) => r.urn))]],
    );
    // Reads of the public reference tenant have no grant and are not logged.
    const granting = new Set(grants.map((g) => g.tenant_id));
    const reachable = new Set(reach.map((r) => `${r.tenant_id}|${r.urn}|${r.protocol_id}`));

    const entries = new Map<
      string,
      { grant: GrantRow; urns: Set<number>; measures: Set<string>; rows: number }
    >();
    for (const read of partner) {
      if (!granting.has(read.tenantId)) continue;
      const grant = grants.find(
        (g) =>
          g.tenant_id === read.tenantId &&
          reachable.has(`${g.tenant_id}|${read.urn}|${g.protocol_id}`) &&
          (read.measure === undefined || g.measure === read.measure) &&
          (read.period === undefined ||
            (g.period_from <= read.period && read.period <= g.period_to)),
      );
      if (!grant) {
        // The database let the row through, so some grant covers it; never leave a read unlogged.
        throw new Error(
          `A row of tenant ${read.tenantId} (school ${read.urn}) was read without a matching grant`,
        );
      }
      const key = `${grant.tenant_id}|${grant.protocol_id}`;
      const entry = entries.get(key) ?? {
        grant,
        urns: new Set<number>(),
        measures: new Set<string>(),
        rows: 0,
      };
      entry.urns.add(read.urn);
      if (read.measure) entry.measures.add(read.measure);
      entry.rows += 1;
      entries.set(key, entry);
    }
    await this.insert(
      m,
      me,
      [...entries.values()].map((e) => ({
        ownerTenantId: e.grant.tenant_id,
        protocolOwnerId: e.grant.protocol_owner_id,
        protocolId: e.grant.protocol_id,
        protocolVersion: e.grant.protocol_version,
        operation,
        urns: [...e.urns].sort((a, b) => a - b),
        measures: [...e.measures].sort(),
        rowCount: e.rows,
      })),
    );
  }

  /** Records reads the caller has already attributed to their protocol, as the principal. */
  async recordUnderProtocol(m: EntityManager, reads: readonly ProtocolRead[]): Promise<void> {
    const principal = this.context.principal();
    await this.insert(
      m,
      { tenantId: principal.tenantId, userId: principal.via === 'job' ? null : principal.userId },
      reads.filter((r) => r.ownerTenantId !== principal.tenantId),
    );
  }

  /** One statement for every entry of a read; the policy refuses an owner that grants nothing. */
  private async publicTenant(m: EntityManager): Promise<string | null> {
    if (this.publicTenantId) return this.publicTenantId;
    const [row] = await m.query<{ id: string | null }[]>('select app_public_tenant() as id');
    if (row?.id) this.publicTenantId = row.id;
    return row?.id ?? null;
  }

  private async insert(
    m: EntityManager,
    reader: { tenantId: string; userId: string | null },
    reads: readonly ProtocolRead[],
  ): Promise<void> {
    if (reads.length === 0) return;
    // On Citus, within a read request, at its end: the entries are the app role's writes to the
    // owners' shards, and a definer function the request calls later (shared_current_datasets)
    // reads co-located placements as the sharing role, which Citus refuses once another user
    // wrote them in the transaction (docs/scaling.md §9.4). Still before the commit, so an answer
    // whose entries are not durable is withheld as before.
    const scope = configuredDistribution() === 'citus' ? this.context.requestScope() : undefined;
    if (scope) {
      await scope.beforeCommit(m, (mm) => this.write(mm, reader, reads));
      return;
    }
    await this.write(m, reader, reads);
  }

  private async write(
    m: EntityManager,
    reader: { tenantId: string; userId: string | null },
    reads: readonly ProtocolRead[],
  ): Promise<void> {
    // One VALUES row per entry, not INSERT … SELECT: Citus runs an INSERT … SELECT from a
    // function as a COPY into the shards, which it refuses under row-level security.
    const params: unknown[] = [reader.tenantId, reader.userId];
    const rows = reads.map((r) => {
      const at = params.length;
      params.push(
        r.ownerTenantId,
        r.protocolOwnerId,
        r.protocolId,
        r.protocolVersion,
        r.operation,
        r.urns,
        r.measures,
        r.rowCount,
      );
      return `($${at + 1}::uuid, $1::uuid, $2::uuid, $${at + 2}::uuid, $${at + 3}::uuid, $${at + 4}::int,
               left($${at + 5}, 120), $${at + 6}::int[], $${at + 7}::text[], $${at + 8}::int)`;
    });
    await m.query(
      `insert into access_log (tenant_id, reader_tenant_id, reader_user_id, protocol_owner_id,
         protocol_id, protocol_version, operation, urns, measures, row_count)
       values ${rows.join(', ')}`,
      params,
    );
  }

  /** Who read the caller's authority's data, newest first. */
  async list(
    filter: AccessLogFilter,
    first: number,
    after?: string,
  ): Promise<Connection<AccessLogEntryModel>> {
    return this.tx.run(async (m) => {
      const me = this.context.principal();
      const where = `a.tenant_id = $1
        and ($2::uuid is null or a.protocol_id = $2)
        and ($3::text is null or r.la_code = $3)
        and ($4::timestamptz is null or a.at >= $4)
        and ($5::timestamptz is null or a.at < $5)`;
      const params = [
        me.tenantId,
        filter.protocolId ?? null,
        filter.readerLaCode ?? null,
        filter.since ?? null,
        filter.until ?? null,
      ];
      const from = 'from access_log a join tenants r on r.id = a.reader_tenant_id';
      const [{ count }] = await m.query<{ count: number }[]>(
        `select count(*)::int as count ${from} where ${where}`,
        params,
      );
      const cursor = after ? decodeCursor(after, 2) : null;
      const rows = await m.query<AccessLogRow[]>(
        `select a.*, r.name as reader_name, r.la_code as reader_la_code ${from} where ${where}
           and ($6::timestamptz is null or (a.at, a.id) < ($6::timestamptz, $7::uuid))
         order by a.at desc, a.id desc limit $8`,
        [...params, cursor?.[0] ?? null, cursor?.[1] ?? null, first + 1],
      );
      const nodes = rows.slice(0, first).map(toEntry);
      const last = nodes[nodes.length - 1];
      return {
        nodes,
        totalCount: count,
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: last ? encodeCursor([last.at.toISOString(), last.id]) : null,
        },
      };
    });
  }

  /** Every entry of the caller's authority, for the CSV export (bounded by the filter). */
  async all(filter: AccessLogFilter): Promise<AccessLogEntryModel[]> {
    const entries: AccessLogEntryModel[] = [];
    let after: string | undefined;
    do {
      const page = await this.list(filter, 1000, after);
      entries.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
    } while (after);
    return entries;
  }
}

function toEntry(r: AccessLogRow): AccessLogEntryModel {
  return {
    id: r.id,
    at: r.at,
    readerTenantId: r.reader_tenant_id,
    readerName: r.reader_name,
    readerLaCode: r.reader_la_code,
    readerUserId: r.reader_user_id,
    protocolId: r.protocol_id,
    protocolVersion: r.protocol_version,
    operation: r.operation,
    urns: r.urns,
    measures: r.measures,
    rowCount: r.row_count,
  };
}
