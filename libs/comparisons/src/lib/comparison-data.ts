import type { EntityManager } from 'typeorm';

import { isSuppressionCode, type ObservedValue } from '@schoolbench/comparisons-core';

import type { PopulationSchool } from './comparison-computation';
import type { DatasetVersion, PopulationScope } from './comparison-request';
import { ObservationTable } from './observation-table';

interface ObservationRow {
  tenant_id: string;
  urn: number;
  measure: string;
  time_period: number;
  breakdown: string;
  value: number | null;
  suppression: string | null;
}

/**
 * Reads what a comparison needs, inside the caller's tenant transaction: row-level security
 * decides what exists (own tenant, the public reference tenant, later partners' grants).
 */
export class ComparisonData {
  constructor(
    private readonly m: EntityManager,
    private readonly tenantId: string,
    /** Writes partners' rows read to the access log, in this transaction. */
    private readonly logPartnerReads?: (
      m: EntityManager,
      reads: { tenantId: string; urn: number; measure: string; period: number }[],
    ) => Promise<void>,
  ) {}

  /**
   * Tenants whose data a population of this scope reads, own first, then partners sharing named
   * data with this tenant today, then the public reference tenant.
   */
  async tenants(scope: PopulationScope): Promise<string[]> {
    if (scope === 'OWN') return [this.tenantId];
    const partners = await this.m.query<{ tenant_id: string }[]>(
      `select distinct tenant_id from sharing_grants
       where grantee_tenant_id = $1 and disclosure = 'named'
         and current_date between valid_from and valid_to
       order by tenant_id`,
      [this.tenantId],
    );
    const [row] = await this.m.query<{ id: string | null }[]>('select app_public_tenant() as id');
    return [
      ...new Set([
        this.tenantId,
        ...partners.map((p) => p.tenant_id),
        ...(row?.id ? [row.id] : []),
      ]),
    ];
  }

  /**
   * The current dataset versions holding any of the measures in any of the periods, in order of
   * precedence: own data before the reference data, newer before older.
   */
  async currentDatasets(
    tenants: readonly string[],
    measures: readonly string[],
    periods: readonly string[],
  ): Promise<DatasetVersion[]> {
    // Partners' dataset rows are not readable; their current versions come from the grants.
    // Candidates first, then one existence check each (a handful per tenant): Citus refuses a
    // correlated subquery over a CTE or a function's rows (docs/scaling.md §9).
    type Candidate = { tenant_id: string; id: string; published_at: Date | null };
    const candidates = [
      ...(await this.m.query<Candidate[]>(
        `select d.tenant_id, d.id, d.published_at from datasets d
         where d.is_current and d.status = 'published' and d.tenant_id = any($1::uuid[])`,
        [tenants],
      )),
      ...(await this.m.query<Candidate[]>(
        `select s.tenant_id, s.id, s.published_at from shared_current_datasets() s
         where s.tenant_id = any($1::uuid[])`,
        [tenants],
      )),
    ];
    const [publicTenant] = await this.m.query<{ id: string | null }[]>(
      'select app_public_tenant() as id',
    );
    const rows: Candidate[] = [];
    for (const d of candidates) {
      const [hit] = await this.m.query<{ hit: boolean }[]>(
        `select exists (select 1 from observations o
                        where o.tenant_id = $1 and o.dataset_id = $2
                          and o.measure = any($3::text[]) and o.time_period = any($4::int[])) as hit`,
        [d.tenant_id, d.id, measures, periods.map(Number)],
      );
      if (hit?.hit) rows.push(d);
    }
    // Own data before partners' before the reference data, newer before older.
    const rank = (tenant: string) =>
      tenant === this.tenantId ? 0 : tenant === publicTenant?.id ? 2 : 1;
    const time = (at: Date | null) => (at ? new Date(at).getTime() : -Infinity);
    rows.sort(
      (a, b) =>
        rank(a.tenant_id) - rank(b.tenant_id) ||
        time(b.published_at) - time(a.published_at) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
  }

  /** Which of the dataset versions still exist (a deleted one cannot be read again). */
  async existingDatasets(datasets: readonly DatasetVersion[]): Promise<Set<string>> {
    // Two statements, not a UNION: beside a distributed table Citus pushes the definer function
    // into the shard queries, where its own read of partners' datasets is a nested distributed
    // execution that fails ("the backend has already been assigned a transaction id",
    // docs/scaling.md §9.4). Alone, it runs on the coordinator.
    const ids = datasets.map((d) => d.id);
    const own = await this.m.query<{ id: string }[]>(
      'select id from datasets where tenant_id = any($1::uuid[]) and id = any($2::uuid[])',
      [[...new Set(datasets.map((d) => d.tenantId))], ids],
    );
    const shared = await this.m.query<{ id: string }[]>(
      'select id from shared_current_datasets() where id = any($1::uuid[])',
      [ids],
    );
    return new Set([...own, ...shared].map((r) => r.id));
  }

  /** Schools of the phase in any of the tenants; a URN the tenant has itself is its own. */
  async schools(tenants: readonly string[], phase: string): Promise<PopulationSchool[]> {
    const rows = await this.m.query<
      { urn: number; own: boolean; tenant_id: string; la_code: string | null }[]
    >(
      `select s.urn, bool_or(s.tenant_id = $2) as own,
              -- A partner's own register before the public reference copy of the same school.
              (array_agg(s.tenant_id order by s.tenant_id = app_public_tenant(), s.tenant_id))[1]::text
                as tenant_id,
              max(s.la_code) as la_code
       from schools s where s.tenant_id = any($1::uuid[])
       group by s.urn having bool_or(lower(s.phase) = $3)
       order by s.urn`,
      [tenants, this.tenantId, phase],
    );
    return rows.map((r) => ({
      urn: r.urn,
      tenantId: r.own ? this.tenantId : r.tenant_id,
      laCode: r.la_code,
    }));
  }

  /**
   * Observations of the given dataset versions into `table`. Where several versions observe the
   * same thing, the first in `datasets` order wins (own data before reference data).
   */
  async observations(
    table: ObservationTable,
    query: {
      datasets: readonly DatasetVersion[];
      measures: readonly string[];
      periods: readonly string[];
      breakdowns: readonly string[];
      urns?: readonly number[];
    },
  ): Promise<ObservationTable> {
    if (query.datasets.length === 0 || query.measures.length === 0) return table;
    const rows = await this.m.query<ObservationRow[]>(
      `select distinct on (o.urn, o.measure, o.time_period, o.breakdown)
              o.tenant_id, o.urn, o.measure, o.time_period, o.breakdown, o.value, o.suppression
       from observations o
       where o.tenant_id = any($1::uuid[]) and o.dataset_id = any($2::uuid[])
         and o.measure = any($3::text[]) and o.time_period = any($4::int[])
         and o.breakdown = any($5::text[]) and ($6::int[] is null or o.urn = any($6::int[]))
       order by o.urn, o.measure, o.time_period, o.breakdown, array_position($2::uuid[], o.dataset_id)`,
      [
        [...new Set(query.datasets.map((d) => d.tenantId))],
        query.datasets.map((d) => d.id),
        query.measures,
        query.periods.map(Number),
        query.breakdowns,
        query.urns ?? null,
      ],
    );
    if (this.logPartnerReads) {
      await this.logPartnerReads(
        this.m,
        rows
          .filter((r) => r.tenant_id !== this.tenantId)
          .map((r) => ({
            tenantId: r.tenant_id,
            urn: r.urn,
            measure: r.measure,
            period: r.time_period,
          })),
      );
    }
    for (const r of rows) {
      const value: ObservedValue = isSuppressionCode(r.suppression) ? r.suppression : r.value;
      table.set(r.measure, String(r.time_period), r.breakdown, r.urn, value);
    }
    return table;
  }
}
