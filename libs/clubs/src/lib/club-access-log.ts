import type { EntityManager } from 'typeorm';

/** One cross-tenant read, as the owner will see it in its access log. */
export interface ClubReadEntry {
  ownerTenantId: string;
  protocolOwnerId: string;
  protocolId: string;
  protocolVersion: number;
  operation: string;
  urns: number[];
  measures: string[];
  rowCount: number;
}

/**
 * Writes the club's cross-tenant reads to the access log in the caller's tenant transaction, so
 * a read that is served is always logged and a failed request logs nothing. One statement for
 * all entries of a request.
 */
// TODO(sharing): use AccessLog from @schoolbench/sharing once it exists, and drop this function.
export async function recordClubReads(
  m: EntityManager,
  reader: { tenantId: string; userId: string },
  entries: ClubReadEntry[],
): Promise<void> {
  if (!entries.length) return;
  await m.query(
    `insert into access_log (tenant_id, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
                             protocol_version, operation, urns, measures, row_count)
     select e.owner, $1, nullif($2, '')::uuid, e.protocol_owner, e.protocol, e.version, e.operation,
            array(select jsonb_array_elements_text(e.urns)::int),
            array(select jsonb_array_elements_text(e.measures)), e.row_count
     from jsonb_to_recordset($3::jsonb) as e(owner uuid, protocol_owner uuid, protocol uuid, version int,
                                             operation text, urns jsonb, measures jsonb, row_count int)`,
    [
      reader.tenantId,
      isUuid(reader.userId) ? reader.userId : '',
      JSON.stringify(
        entries.map((e) => ({
          owner: e.ownerTenantId,
          protocol_owner: e.protocolOwnerId,
          protocol: e.protocolId,
          version: e.protocolVersion,
          operation: e.operation,
          urns: e.urns,
          measures: e.measures,
          row_count: e.rowCount,
        })),
      ),
    ],
  );
}

export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}
