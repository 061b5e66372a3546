import type { EntityManager } from 'typeorm';

import type { AccessLog, ProtocolRead } from '@schoolbench/sharing';

/** A partner's record a request returned: whose, which school (null: authority-wide), when. */
export interface PartnerRecordRead {
  tenantId: string;
  urn: number | null;
  measure?: string;
  period?: number;
}

interface ReachRow {
  tenant_id: string;
  urn: number;
  protocol_owner_id: string;
  protocol_id: string;
  protocol_version: number;
  period_from: number;
  period_to: number;
}

/**
 * Logs partners' targets or judgements a request returned, each under the protocol that let it
 * through (`shared_record_reach`, the same rule as the row-level security policy), inside the
 * reading transaction: one access-log entry per owner × protocol. Record categories compile into
 * no measure grant, so `AccessLog.record` cannot attribute them; this does, then writes through
 * `recordUnderProtocol`. A returned row no protocol covers is an error, never an unlogged read.
 */
export async function logPartnerRecords(
  m: EntityManager,
  accessLog: AccessLog,
  category: 'targets' | 'judgements',
  operation: string,
  ownTenantId: string,
  reads: readonly PartnerRecordRead[],
): Promise<void> {
  const partner = reads.filter((r) => r.tenantId !== ownTenantId);
  if (partner.length === 0) return;
  const reach = await m.query<ReachRow[]>(
    `select tenant_id, urn, protocol_owner_id, protocol_id, protocol_version, period_from, period_to
       from shared_record_reach($1) where tenant_id = any($2::uuid[])
       order by protocol_owner_id, protocol_id, urn`,
    [category, [...new Set(partner.map((r) => r.tenantId))]],
  );
  const entries = new Map<
    string,
    { reach: ReachRow; urns: Set<number>; measures: Set<string>; rows: number }
  >();
  for (const read of partner) {
    const covering = reach.find(
      (g) =>
        g.tenant_id === read.tenantId &&
        (read.urn === null || g.urn === read.urn) &&
        (read.period === undefined || (g.period_from <= read.period && read.period <= g.period_to)),
    );
    if (!covering) {
      throw new Error(
        `A ${category} record of tenant ${read.tenantId} (school ${read.urn ?? 'authority'}) was read without a protocol naming it`,
      );
    }
    const key = `${covering.tenant_id}|${covering.protocol_owner_id}|${covering.protocol_id}`;
    const entry = entries.get(key) ?? {
      reach: covering,
      urns: new Set<number>(),
      measures: new Set<string>(),
      rows: 0,
    };
    if (read.urn !== null) entry.urns.add(read.urn);
    if (read.measure) entry.measures.add(read.measure);
    entry.rows += 1;
    entries.set(key, entry);
  }
  const logged: ProtocolRead[] = [...entries.values()].map((e) => ({
    ownerTenantId: e.reach.tenant_id,
    protocolOwnerId: e.reach.protocol_owner_id,
    protocolId: e.reach.protocol_id,
    protocolVersion: e.reach.protocol_version,
    operation,
    urns: [...e.urns].sort((a, b) => a - b),
    measures: [...e.measures].sort(),
    rowCount: e.rows,
  }));
  await accessLog.recordUnderProtocol(m, logged);
}
