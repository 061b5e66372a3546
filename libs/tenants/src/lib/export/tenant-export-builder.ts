import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  MEASURE_CATALOGUE,
  toEesCsv,
  type AreaLevel,
  type Observation,
  type SchoolRecord,
  type SummaryObservation,
  type SuppressionCode,
} from '@schoolbench/data-format-core';
import { migrations } from '@schoolbench/database';
import { BUILT_IN_LOCAL_AUTHORITIES, LA_REGISTER_VERSION } from '@schoolbench/la-register';
import { TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import {
  csvDataRows,
  tableCsv,
  TenantExportArchive,
  type TenantExportManifest,
} from './tenant-export-archive';

/** Archive bytes per stored chunk (and per write to a file). */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;

/**
 * The tenant's tables, each as one CSV: the columns named here and no others. Secrets are left
 * out by construction — a column not listed is not exported (ADR 0081): password and invitation
 * hashes, API-key secret hashes, refresh tokens, protocol pseudonym keys.
 */
const TABLES: readonly { path: string; sql: string }[] = [
  {
    path: 'schools.csv',
    sql: `select urn, laestab, name, phase, type, la_code, opened_on::text as opened_on,
            closed_on::text as closed_on, created_at, updated_at
          from schools where tenant_id = $1 order by urn`,
  },
  {
    path: 'users.csv',
    sql: `select id, email, display_name, role, school_urn,
            password_hash is not null as signed_up, invitation_expires_at, created_at
          from users where tenant_id = $1 order by created_at, id`,
  },
  {
    path: 'user-events.csv',
    sql: `select id, user_id, email, event, role_before, school_urn_before, role_after,
            school_urn_after, actor_user_id, at
          from user_events where tenant_id = $1 order by id`,
  },
  {
    path: 'api-keys.csv',
    sql: `select id, prefix, name, role, created_by, created_at, last_used_at, revoked_at
          from api_keys where tenant_id = $1 order by created_at, id`,
  },
  {
    path: 'datasets.csv',
    sql: `select id, series, version, file_name, content_hash, format, status, is_current,
            uploaded_by, rows_read, observation_count, area_observation_count, school_count,
            error_count, warning_count, periods, created_at, published_at, report
          from datasets where tenant_id = $1 order by series, version, created_at`,
  },
  {
    path: 'mapping-profiles.csv',
    sql: `select id, name, definition, created_by, created_at
          from mapping_profiles where tenant_id = $1 order by name`,
  },
  {
    path: 'protocols/protocols.csv',
    sql: `select id, status, current_version, version_in_force, parties, created_by, created_at,
            updated_at
          from protocols where tenant_id = $1 order by created_at, id`,
  },
  {
    path: 'protocols/protocol-versions.csv',
    sql: `select protocol_id, version, title, purpose, parties, scope_categories, scope_measures,
            measures, period_from, period_to, phases, disclosure, min_group_size,
            small_cohort_threshold, valid_from::text as valid_from, valid_to::text as valid_to,
            created_by, created_at
          from protocol_versions where tenant_id = $1 order by protocol_id, version`,
  },
  {
    path: 'protocols/protocol-signatures.csv',
    sql: `select protocol_id, version, signer_tenant_id, signer_user_id, signed_at
          from protocol_signatures where tenant_id = $1 order by protocol_id, version, signed_at`,
  },
  {
    path: 'protocols/protocol-events.csv',
    sql: `select protocol_id, id, version, event, actor_tenant_id, actor_user_id, detail, at
          from protocol_events where tenant_id = $1 order by id`,
  },
  {
    path: 'protocols/protocol-opt-outs.csv',
    sql: `select protocol_owner_id, protocol_id, urn, opted_out_by, opted_out_at
          from protocol_opt_outs where tenant_id = $1 order by protocol_id, urn`,
  },
  {
    path: 'clubs/clubs.csv',
    sql: `select id, name, protocol_owner_id, protocol_id, phase, parties, created_by, created_at
          from clubs where tenant_id = $1 order by created_at, id`,
  },
  {
    path: 'clubs/club-members.csv',
    sql: `select club_id, member_tenant_id, urn, added_at
          from club_members where tenant_id = $1 order by club_id, member_tenant_id, urn`,
  },
  {
    path: 'targets/target-events.csv',
    sql: `select id, urn, measure, time_period, breakdown, kind, action, value, baseline_period,
            answers, reason, source, actor_id, actor_role, at
          from target_events where tenant_id = $1 order by at, id`,
  },
  {
    path: 'targets/school-judgements.csv',
    sql: `select id, urn, kind, judgement, judged_on::text as judged_on, source, recorded_by,
            recorded_via, recorded_at
          from school_judgements where tenant_id = $1 order by recorded_at, id`,
  },
  {
    path: 'targets/benchmark-settings.csv',
    sql: `select min_group_n, amber_margin_percent, amber_margin_score, updated_by, updated_at
          from benchmark_settings where tenant_id = $1`,
  },
  {
    path: 'comparisons/comparison-runs.csv',
    sql: `select id, requested_by, method, method_version, parameters, dataset_versions, features,
            status, progress, message, error, stale, result_key, attempts, summary, created_at,
            started_at, finished_at
          from comparison_runs where tenant_id = $1 order by created_at, id`,
  },
  {
    path: 'comparisons/comparison-groups.csv',
    sql: `select run_id, urn, rank, neighbour_urn, neighbour_tenant_id, distance, feature_shares
          from comparison_groups where tenant_id = $1 order by run_id, urn, rank`,
  },
  {
    path: 'comparisons/comparison-benchmarks.csv',
    sql: `select run_id, urn, measure, period, value, suppression, group_n, median, q1, q3,
            percentile_rank, rank, rank_of, gap_to_median, trend_slope, trend_periods,
            disadvantaged_gap, group_disadvantaged_gap, group_disadvantaged_n, expected_value,
            residual, suppressed_count, missing_count
          from comparison_benchmarks where tenant_id = $1 order by run_id, urn, measure, period`,
  },
  {
    path: 'access-log.csv',
    sql: `select id, at, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
            protocol_version, operation, urns, measures, row_count
          from access_log where tenant_id = $1 order by at, id`,
  },
];

const EXCLUDED = [
  "Other tenants' rows, including what this authority may read of partners' data under protocols and the public reference data: they are theirs to export.",
  'Password and invitation hashes, refresh tokens, API-key secret hashes, protocol pseudonym keys: secrets, never exported.',
  'Sharing grants and reach: compiled from the protocols, which are exported.',
  'Upload chunks and earlier exports: transient copies of what is exported here.',
  'Comparison groups and benchmarks that row-level security hides from the authority itself (stale runs, neighbours no longer shared).',
];

export interface BuiltExport {
  manifest: TenantExportManifest;
  sizeBytes: number;
  sha256: string;
}

export interface ExportTarget {
  /** Called first, in the reading transaction (e.g. to clear what a failed attempt left). */
  start?(m: EntityManager): Promise<void>;
  /** Receives the archive's bytes in order, in pieces of at most EXPORT_CHUNK_BYTES. */
  write(piece: Buffer, m: EntityManager): Promise<void>;
  /** Hears the share done (0–100) and what is being read. */
  progress?(percent: number, message: string): Promise<void>;
}

const LA_NAMES = new Map(
  BUILT_IN_LOCAL_AUTHORITIES.map((la) => [String(la.code).padStart(3, '0'), la.name]),
);

function slug(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 120) || 'dataset'
  );
}

interface DatasetRow {
  id: string;
  series: string;
  version: number;
  file_name: string;
}

/**
 * Reads everything one authority owns and writes it as one archive (ADR 0081). Every read runs as
 * the app role in one REPEATABLE READ transaction of that tenant (one snapshot: the files agree
 * with each other), and every query also says `tenant_id = <it>`: row-level security lets a tenant
 * read partners' shared rows and the public reference data too, and those are not its own.
 */
@Injectable()
export class TenantExportBuilder {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
  ) {}

  /**
   * Builds the archive in the tenant's transaction; `target.write` gets that transaction's
   * manager, so an archive stored in the database commits or rolls back with the reads.
   */
  build(
    tenantId: string,
    exportId: string | null,
    target: ExportTarget,
    principal: { userId: string; via: 'job' | 'cli' },
  ): Promise<BuiltExport> {
    return this.context.runAs(
      { tenantId, userId: principal.userId, role: 'la_admin', schoolUrn: null, via: principal.via },
      () => {
        this.context.useOneSnapshot();
        return this.tx.inTenant(tenantId, (m) => this.write(m, tenantId, exportId, target));
      },
    );
  }

  private async write(
    m: EntityManager,
    tenantId: string,
    exportId: string | null,
    target: ExportTarget,
  ): Promise<BuiltExport> {
    const createdAt = new Date();
    await target.start?.(m);
    const [tenant] = await m.query<{ id: string; la_code: string | null; name: string }[]>(
      'select id, la_code, name from tenants where id = $1',
      [tenantId],
    );
    if (!tenant) throw new Error(`No tenant ${tenantId}`);
    const archive = new TenantExportArchive(
      createdAt,
      (piece) => target.write(piece, m),
      EXPORT_CHUNK_BYTES,
    );
    const datasets = await m.query<DatasetRow[]>(
      `select id, series, version, file_name from datasets
       where tenant_id = $1 and status = 'published' order by series, version`,
      [tenantId],
    );
    const steps = TABLES.length + datasets.length;
    let done = 0;
    const step = async (message: string) => {
      done++;
      await target.progress?.(Math.min(99, Math.floor((done / steps) * 100)), message);
    };

    for (const table of TABLES) {
      const rows = await m.query<Record<string, unknown>[]>(table.sql, [tenantId]);
      const columns = columnsOf(table.sql);
      await archive.add(table.path, tableCsv(columns, rows), rows.length);
      await step(`Exported ${table.path}`);
    }

    const schools = new Map<string, SchoolRecord>();
    for (const s of await m.query<
      { urn: number; laestab: number | null; name: string; la_code: string | null }[]
    >('select urn, laestab, name, la_code from schools where tenant_id = $1', [tenantId])) {
      schools.set(String(s.urn), {
        urn: String(s.urn),
        laestab: s.laestab === null ? undefined : String(s.laestab),
        name: s.name,
        laCode: s.la_code ?? undefined,
      });
    }
    for (const dataset of datasets) {
      await this.addDataset(m, archive, tenantId, dataset, schools);
      await step(`Exported ${dataset.file_name} version ${dataset.version}`);
    }

    return archive.finish({
      format: 'schoolbench-tenant-export',
      formatVersion: 1,
      exportId,
      tenant: { id: tenant.id, laCode: tenant.la_code, name: tenant.name },
      createdAt: createdAt.toISOString(),
      schemaVersion: migrations[migrations.length - 1].name,
      catalogueVersion: MEASURE_CATALOGUE.version,
      laRegisterVersion: LA_REGISTER_VERSION,
      excluded: EXCLUDED,
    });
  }

  /**
   * One dataset version as an EES data file and its meta file (`toEesCsv`, the same writer as the
   * observations download: EES symbols, text cells neutralised), and the codes the source file
   * used for suppressed cells (SUPP, NE, …) beside them, since an EES file carries symbols only.
   */
  private async addDataset(
    m: EntityManager,
    archive: TenantExportArchive,
    tenantId: string,
    dataset: DatasetRow,
    schools: ReadonlyMap<string, SchoolRecord>,
  ): Promise<void> {
    const observations: (Observation | SummaryObservation)[] = [];
    const schoolRows = await m.query<ObservationRow[]>(
      `select urn, measure, time_period, time_identifier, breakdown, value, suppression, source_code
       from observations where tenant_id = $1 and dataset_id = $2
       order by time_period, urn, breakdown, measure`,
      [tenantId, dataset.id],
    );
    for (const r of schoolRows) observations.push({ ...measured(r), urn: String(r.urn) });
    const areaRows = await m.query<AreaRow[]>(
      `select area_level, area_code, area_variant, measure, time_period, time_identifier, breakdown,
         value, suppression, source_code
       from area_observations where tenant_id = $1 and dataset_id = $2
       order by time_period, area_level, area_code, area_variant, breakdown, measure`,
      [tenantId, dataset.id],
    );
    for (const r of areaRows) {
      observations.push({
        ...measured(r),
        area: {
          level: r.area_level as AreaLevel,
          code: r.area_code,
          variant: r.area_variant,
          name: r.area_level === 'local_authority' ? LA_NAMES.get(r.area_code) : undefined,
        },
      });
    }
    const ees = toEesCsv(observations, { schools, laName: (code) => LA_NAMES.get(code) });
    const base = `datasets/${slug(dataset.series)}/v${dataset.version}/${slug(dataset.file_name.replace(/\.csv$/i, ''))}`;
    await archive.add(`${base}.csv`, Buffer.from(ees.dataCsv, 'utf8'), csvDataRows(ees.dataCsv));
    await archive.add(
      `${base}.meta.csv`,
      Buffer.from(ees.metaCsv, 'utf8'),
      csvDataRows(ees.metaCsv),
    );
    const coded = [
      ...schoolRows
        .filter((r) => r.source_code !== null)
        .map((r) => ({ ...r, level: 'school', code: String(r.urn), variant: '' })),
      ...areaRows
        .filter((r) => r.source_code !== null)
        .map((r) => ({ ...r, level: r.area_level, code: r.area_code, variant: r.area_variant })),
    ];
    await archive.add(
      `${base}.source-codes.csv`,
      tableCsv(SOURCE_CODE_COLUMNS, coded),
      coded.length,
    );
  }
}

const SOURCE_CODE_COLUMNS = [
  'level',
  'code',
  'variant',
  'measure',
  'time_period',
  'time_identifier',
  'breakdown',
  'suppression',
  'source_code',
];

interface MeasuredRow {
  measure: string;
  time_period: number;
  time_identifier: string;
  breakdown: string;
  value: number | null;
  suppression: string | null;
  source_code: string | null;
}
type ObservationRow = MeasuredRow & { urn: number };
type AreaRow = MeasuredRow & { area_level: string; area_code: string; area_variant: string };

function measured(r: MeasuredRow) {
  const base = {
    measure: r.measure,
    period: {
      timePeriod: String(r.time_period),
      timeIdentifier: r.time_identifier as Observation['period']['timeIdentifier'],
    },
    breakdown: r.breakdown,
    sourceColumn: r.measure,
  };
  return r.value === null
    ? {
        ...base,
        value: null,
        suppression: r.suppression as SuppressionCode,
        sourceCode: r.source_code ?? undefined,
      }
    : { ...base, value: r.value, suppression: null };
}

/** The output columns of a `select … from` statement, in order (aliases win). */
function columnsOf(sql: string): string[] {
  const list = sql.slice(sql.indexOf('select') + 6, sql.search(/\sfrom\s/));
  return list.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const last = words[words.length - 1];
    return words.length > 1 && words[words.length - 2] === 'as' ? last : (words[0] ?? last);
  });
}
