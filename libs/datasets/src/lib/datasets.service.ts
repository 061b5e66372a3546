import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { CellCounts, Problem, RuleCount } from '@schoolbench/data-format-core';
import {
  badInput,
  decodeCursor,
  encodeCursor,
  notFound,
  type Connection,
} from '@schoolbench/graphql';
import { AccessLog, type PartnerRead } from '@schoolbench/sharing';
import {
  preparedStatement,
  SCHOOL_ROLES,
  TenantContext,
  TenantTransactions,
} from '@schoolbench/tenancy';

import type { StoredReport } from './dataset-imports.service';
import {
  DatasetModel,
  ObservationModel,
  ObservationSource,
  type CellCoverageModel,
  type ObservationFilter,
} from './models/dataset.model';

interface DatasetRow {
  id: string;
  file_name: string;
  series: string;
  version: number;
  status: string;
  is_current: boolean;
  format: string | null;
  content_hash: string;
  rows_read: number;
  observation_count: number;
  area_observation_count: number;
  school_count: number;
  error_count: number;
  warning_count: number;
  periods: string[];
  progress: number;
  created_at: Date;
  published_at: Date | null;
  report: StoredReport;
}

interface ObservationRow {
  tenant_id: string;
  urn: number;
  measure: string;
  time_period: number;
  time_identifier: string;
  breakdown: string;
  value: number | null;
  suppression: string | null;
  numerator: number | null;
  denominator: number | null;
  source_code: string | null;
  dataset_id: string;
}

export function toDatasetModel(r: DatasetRow): DatasetModel {
  const problems: Problem[] = r.report?.problems ?? [];
  const counts: readonly RuleCount[] = r.report?.summary?.problemCounts ?? [];
  const severity = (p: Problem) => (p.severity === 'error' ? 0 : 1);
  return {
    id: r.id,
    fileName: r.file_name,
    series: r.series,
    version: r.version,
    status: r.status,
    isCurrent: r.is_current,
    format: r.format,
    contentHash: r.content_hash.trim(),
    rowsRead: r.rows_read,
    observationCount: r.observation_count,
    areaObservationCount: r.area_observation_count,
    schoolCount: r.school_count,
    errorCount: r.error_count,
    warningCount: r.warning_count,
    periods: r.periods,
    progress: r.progress,
    createdAt: r.created_at,
    publishedAt: r.published_at,
    problemCounts: counts.length
      ? [...counts]
      : Object.values(
          problems.reduce<Record<string, RuleCount>>((acc, p) => {
            const c = acc[p.rule] ?? { rule: p.rule, severity: p.severity, count: 0 };
            acc[p.rule] = { ...c, count: c.count + 1 };
            return acc;
          }, {}),
        ),
    problems: [...problems].sort((a, b) => severity(a) - severity(b)),
    cells: cellsOf(r.report?.summary?.cells),
  };
}

function cellsOf(cells: CellCounts | null | undefined): CellCoverageModel | null {
  if (!cells) return null;
  return {
    stored: cells.stored,
    notMeasure: Object.entries(cells.notMeasure).map(([reason, n]) => ({ reason, cells: n })),
    unknown: cells.unknown,
    unknownColumns: [...cells.unknownColumns],
  };
}

export function toObservationModel(r: ObservationRow): ObservationModel {
  return {
    urn: r.urn,
    measure: r.measure,
    timePeriod: String(r.time_period),
    timeIdentifier: r.time_identifier,
    breakdown: r.breakdown,
    value: r.value,
    suppression: r.suppression,
    numerator: r.numerator,
    denominator: r.denominator,
    sourceCode: r.source_code ?? null,
    datasetId: r.dataset_id,
  };
}

const PERIOD = /^\d{6}$/;

/**
 * Observations of schools ($1 the tenant, $2 URNs; $3 measures, $4 periods, $5 breakdowns, each
 * null for all): own data first, then a partner's under a grant, then the public reference data.
 * Partners' datasets are not readable, so their rows are current by the grant's own reading of
 * them. A partner's small cohort (withheld by the policy) is served as c, unless another source
 * (own or reference data) has the value. One text per combination of the filters given, each a
 * prepared statement without `$n is null or …` conditions: parsed once per connection, and its
 * plan reaches the (tenant, school, measure, period) index with every filter given.
 */
function observationsOfSchoolsText(measures: boolean, periods: boolean, breakdowns: boolean) {
  const filters = [
    measures && 'and o.measure = any($3)',
    periods && 'and o.time_period = any($4)',
    breakdowns && 'and o.breakdown = any($5)',
  ]
    .filter(Boolean)
    .join(' ');
  return `select distinct on (o.urn, o.measure, o.time_period, o.breakdown)
         o.tenant_id, o.dataset_id, o.urn, o.measure, o.time_period, o.time_identifier,
         o.breakdown, o.value, o.suppression, o.numerator, o.denominator, o.source_code
  from (
    -- The current datasets first, each naming its tenant, so that the observations are found by
    -- (tenant, dataset) or (tenant, school) index, never by scanning all tenants.
    select o.*, c.precedence
    from (select d.tenant_id, d.id, case when d.tenant_id = $1 then 0 else 2 end as precedence
            from datasets d
           where d.tenant_id = any(array[$1::uuid, app_public_tenant()]) and d.is_current
          union all
          select s.tenant_id, s.id, 1 from shared_current_datasets() s
           where s.tenant_id <> $1 and s.tenant_id is distinct from app_public_tenant()) c
    join observations o on o.tenant_id = c.tenant_id and o.dataset_id = c.id
    where o.urn = any($2) ${filters}
    union all
    select w.tenant_id, w.dataset_id, w.urn, w.measure, w.time_period, w.time_identifier,
           w.breakdown, null, 'c', null, null, null, 3
    from shared_withheld_cells($2, $3, $4, $5) w
  ) o
  order by o.urn, o.measure, o.time_period, o.breakdown, o.precedence`;
}

const OBSERVATIONS_OF_SCHOOLS = new Map(
  [0, 1, 2, 3, 4, 5, 6, 7].map((bits) => [
    bits,
    preparedStatement(observationsOfSchoolsText(!!(bits & 1), !!(bits & 2), !!(bits & 4))),
  ]),
);

function observationsOfSchoolsStatement(filter: {
  measures?: string[];
  periods?: string[];
  breakdowns?: string[];
}): string {
  const bits = (filter.measures ? 1 : 0) | (filter.periods ? 2 : 0) | (filter.breakdowns ? 4 : 0);
  return OBSERVATIONS_OF_SCHOOLS.get(bits)!;
}

/** Reads datasets and observations. What exists for the caller is decided by row-level security. */
@Injectable()
export class DatasetsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly accessLog: AccessLog,
  ) {}

  async list(first: number, after?: string): Promise<Connection<DatasetModel>> {
    const tenantId = this.context.principal().tenantId;
    return this.tx.run(async (m) => {
      const [{ count }] = await m.query<{ count: number }[]>(
        'select count(*)::int as count from datasets where tenant_id = $1',
        [tenantId],
      );
      const cursor = after ? decodeCursor(after, 2) : null;
      const rows = await m.query<DatasetRow[]>(
        `select * from datasets where tenant_id = $1
           and ($2::timestamptz is null or (created_at, id) < ($2::timestamptz, $3::uuid))
         order by created_at desc, id desc limit $4`,
        [tenantId, cursor?.[0] ?? null, cursor?.[1] ?? null, first + 1],
      );
      const nodes = rows.slice(0, first).map(toDatasetModel);
      const last = rows[Math.min(rows.length, first) - 1];
      return {
        nodes,
        totalCount: count,
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
        },
      };
    });
  }

  async get(id: string): Promise<DatasetModel> {
    const rows = await this.tx.run(async (m) => {
      // The public tenant's id first: Citus routes a query by the values it is given, so
      // `tenant_id in ($2, app_public_tenant())` went to every shard.
      const [reference] = await m.query<{ id: string | null }[]>(
        'select app_public_tenant() as id',
      );
      return m.query<DatasetRow[]>(
        `select * from datasets where id = $1 and tenant_id = any($2::uuid[])`,
        [
          this.uuid(id),
          [this.context.principal().tenantId, reference?.id].filter((t): t is string => !!t),
        ],
      );
    });
    if (!rows[0]) throw notFound(`Dataset ${id}`);
    return toDatasetModel(rows[0]);
  }

  /** For operator commands, which name the tenant themselves. */
  async getInTenant(tenantId: string, id: string): Promise<DatasetModel> {
    const rows = await this.tx.inTenant(tenantId, (m) =>
      m.query<DatasetRow[]>('select * from datasets where tenant_id = $1 and id = $2', [
        tenantId,
        this.uuid(id),
      ]),
    );
    if (!rows[0]) throw notFound(`Dataset ${id}`);
    return toDatasetModel(rows[0]);
  }

  async observations(
    filter: ObservationFilter,
    first: number,
    after?: string,
  ): Promise<Connection<ObservationModel>> {
    const principal = this.context.principal();
    const urns = SCHOOL_ROLES.includes(principal.role) ? [principal.schoolUrn!] : filter.urns;
    if (filter.periods?.some((p) => !PERIOD.test(p))) {
      throw badInput('Periods are EES time periods of six digits, e.g. 201819', {
        field: 'periods',
      });
    }
    return this.tx.run(async (m) => {
      const partners = filter.source === ObservationSource.PARTNERS;
      // For partners, row-level security admits only rows under a named grant valid today; naming
      // the granting tenants up front lets the planner use the (tenant, measure) index.
      const owners = partners
        ? (
            await m.query<{ tenant_id: string }[]>(
              `select distinct tenant_id from sharing_grants where grantee_tenant_id = $1
                 and disclosure = 'named' and current_date between valid_from and valid_to`,
              [principal.tenantId],
            )
          ).map((g) => g.tenant_id)
        : null;
      const tenants =
        filter.source === ObservationSource.REFERENCE
          ? 'o.tenant_id = app_public_tenant() and $1::uuid is not null'
          : partners
            ? 'o.tenant_id = any($1::uuid[])'
            : 'o.tenant_id = $1::uuid';
      if (partners && filter.datasetId) {
        throw badInput('A partner’s data is read by protocol, not by dataset id', {
          field: 'datasetId',
        });
      }
      // Partners' datasets are not readable rows; their current versions come from the grants,
      // and their small cohorts (withheld by the policy) come back as c, keys only. Both definer
      // functions are read first, in one statement, and passed on as parameters: inside the
      // observations query Citus runs them on each shard (a nested distributed query, refused),
      // and a second statement calling one in the same transaction was refused on the cluster
      // too (docs/scaling.md §9.4).
      const [shared] = partners
        ? await m.query<{ ids: string[]; withheld: unknown[] }[]>(
            `select coalesce((select array_agg(id) from shared_current_datasets()), '{}') as ids,
                    coalesce((select jsonb_agg(w) from shared_withheld_cells($1, $2, $3, $4) w),
                             '[]') as withheld`,
            [
              urns ?? null,
              filter.measures ?? null,
              filter.periods?.map(Number) ?? null,
              filter.breakdowns ?? null,
            ],
          )
        : [null];
      const current = partners
        ? 'o.dataset_id = any($2::uuid[])'
        : filter.datasetId
          ? 'o.dataset_id = $2::uuid'
          : 'd.is_current and $2::uuid is null';
      const where = `${tenants}
        and ${current}
        and ($3::int[] is null or o.urn = any($3))
        and ($4::text[] is null or o.measure = any($4))
        and ($5::int[] is null or o.time_period = any($5))
        and ($6::text[] is null or o.breakdown = any($6))`;
      const params = [
        owners ?? principal.tenantId,
        shared ? shared.ids : filter.datasetId ? this.uuid(filter.datasetId) : null,
        urns ?? null,
        filter.measures ?? null,
        filter.periods?.map(Number) ?? null,
        filter.breakdowns ?? null,
        JSON.stringify(shared?.withheld ?? []),
      ];
      const from = partners
        ? `from (select o.tenant_id, o.dataset_id, o.urn, o.measure, o.time_period, o.time_identifier,
                        o.breakdown, o.value, o.suppression, o.numerator, o.denominator, o.source_code
                 from observations o
                 union all
                 select w.tenant_id, w.dataset_id, w.urn, w.measure, w.time_period, w.time_identifier,
                        w.breakdown, null, 'c', null, null, null
                 from jsonb_to_recordset($7::jsonb) as w(tenant_id uuid, dataset_id uuid, urn int,
                        measure varchar, time_period int, time_identifier varchar, breakdown varchar)) o`
        : `from observations o join datasets d on d.tenant_id = o.tenant_id and d.id = o.dataset_id
           where $7::jsonb is not null`;
      const [{ count }] = await m.query<{ count: number }[]>(
        `select count(*)::int as count ${from} ${partners ? 'where' : 'and'} ${where}`,
        params,
      );
      const cursor = after ? decodeCursor(after, 4) : null;
      const rows = await m.query<ObservationRow[]>(
        `select o.* ${from} ${partners ? 'where' : 'and'} ${where}
           and ($8::int is null or (o.urn, o.measure, o.time_period, o.breakdown) > ($8::int, $9::text, $10::int, $11::text))
         order by o.urn, o.measure, o.time_period, o.breakdown limit $12`,
        [...params, ...(cursor ?? [null, null, null, null]), first + 1],
      );
      const page = rows.slice(0, first);
      if (filter.source === ObservationSource.PARTNERS) {
        await this.accessLog.record(m, 'Query.observations', page.map(partnerRead));
      }
      const nodes = page.map(toObservationModel);
      const last = rows[Math.min(rows.length, first) - 1];
      return {
        nodes,
        totalCount: count,
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: last
            ? encodeCursor([last.urn, last.measure, last.time_period, last.breakdown])
            : null,
        },
      };
    });
  }

  /** Current observations of many schools at once (the DataLoader batch for `School.observations`). */
  async observationsOfSchools(
    urns: readonly number[],
    filter: { measures?: string[]; periods?: string[]; breakdowns?: string[] },
  ): Promise<Map<number, ObservationModel[]>> {
    const principal = this.context.principal();
    const rows = await this.tx.run(async (m: EntityManager) => {
      const found = await m.query<ObservationRow[]>(observationsOfSchoolsStatement(filter), [
        principal.tenantId,
        urns,
        filter.measures ?? null,
        filter.periods?.map(Number) ?? null,
        filter.breakdowns ?? null,
      ]);
      await this.accessLog.record(m, 'School.observations', found.map(partnerRead));
      return found;
    });
    const byUrn = new Map<number, ObservationModel[]>(urns.map((u) => [u, []]));
    for (const r of rows) byUrn.get(r.urn)?.push(toObservationModel(r));
    return byUrn;
  }

  private uuid(id: string): string {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw badInput(`"${id}" is not a dataset id`, { field: 'id' });
    }
    return id;
  }
}

function partnerRead(r: ObservationRow): PartnerRead {
  return { tenantId: r.tenant_id, urn: r.urn, measure: r.measure, period: r.time_period };
}
