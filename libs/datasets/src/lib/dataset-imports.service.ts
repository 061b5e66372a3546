import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import {
  importFile,
  parseMappingProfile,
  type ImportReport,
  type MappingProfile,
  type Problem,
  type SchoolRecord,
} from '@schoolbench/data-format-core';
import { badInput, notFound } from '@schoolbench/graphql';
import { LaRegister } from '@schoolbench/la-register';
import type { RegisterEntry } from '@schoolbench/schools';
import { TenantTransactions } from '@schoolbench/tenancy';

import { sha256Of, type DatasetSource } from './dataset-source';
import { ObservationWriter } from './observation-writer';

/** Problems kept in a stored report; counts by rule stay exact beyond it. */
const REPORT_PROBLEMS = 1000;

export interface DatasetImportRequest {
  file: DatasetSource;
  meta?: DatasetSource;
  profileId?: string;
  /** Called every few thousand observations with the line reached in the file. */
  onProgress?: (rowsRead: number) => void;
}

export interface StoredReport {
  summary: ImportReport | null;
  problems: Problem[];
}

export interface DatasetImportOutcome {
  datasetId: string;
  status: 'published' | 'failed';
  /** True when the same file was imported before: nothing was written this time. */
  unchanged: boolean;
}

class RejectedImport extends Error {}

const laRegister = LaRegister.builtIn();

/**
 * DfE files also carry codes in the 700s that group establishments outside any local authority
 * area (702: Service Children's Education schools abroad, in the 2018/19 files). They are not
 * authorities and have no region, but the rows are real: accept the codes, never as a tenant.
 */
const isKnownLaCode = (code: string): boolean =>
  laRegister.isKnown(code) || /^7\d\d$/.test(code.trim());

function toRegisterEntry(s: SchoolRecord): RegisterEntry {
  return {
    urn: Number(s.urn),
    laestab: s.laestab ? Number(s.laestab) : null,
    name: s.name ?? `School ${s.urn}`,
    laCode: s.laCode ?? null,
    phase: s.phase ?? null,
    type: s.type ?? null,
    openedOn: s.openDate ?? null,
    closedOn: s.closeDate ?? null,
  };
}

/** Database errors a bad file can still cause, turned into report lines. */
function problemFromDatabase(file: string, error: unknown): Problem | null {
  const code = (error as { code?: string }).code;
  const detail = (error as { detail?: string }).detail ?? '';
  if (code === '23505') {
    return {
      file,
      line: null,
      column: null,
      value: detail,
      rule: 'duplicate_observation',
      severity: 'error',
      message: `The file has the same school, measure, period and breakdown twice (${detail})`,
      fix: 'Keep one row per school, measure, period and breakdown, then upload the file again.',
    };
  }
  if (code === '23503') {
    return {
      file,
      line: null,
      column: null,
      value: detail,
      rule: 'unknown_school',
      severity: 'error',
      message: `The file has values for a school it does not describe (${detail})`,
      fix: 'Include the school’s URN and name in the file, or add the school to your register first.',
    };
  }
  return null;
}

/**
 * Imports one file as a dataset version, all or nothing: every row is written inside one tenant
 * transaction that commits only when the validation report has no errors. A failed import keeps
 * its report (a dataset row with status `failed`) and nothing else.
 */
@Injectable()
export class DatasetImports {
  constructor(
    private readonly tx: TenantTransactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async importInto(
    tenantId: string,
    uploadedBy: string | null,
    req: DatasetImportRequest,
  ): Promise<DatasetImportOutcome> {
    // The same bytes read the same way are the same dataset: a second upload changes nothing.
    const contentHash = await this.identityHash(req);
    const [existing] = await this.tx.inTenant(tenantId, (m) =>
      m.query<{ id: string; status: 'published' | 'failed' }[]>(
        'select id, status from datasets where tenant_id = $1 and content_hash = $2',
        [tenantId, contentHash],
      ),
    );
    if (existing?.status === 'published') {
      return { datasetId: existing.id, status: existing.status, unchanged: true };
    }
    // A failed import holds only its report: validate again (rules or the LA register may have
    // changed), replacing that report.
    const retryOf = existing?.id;
    const [tenant] = await this.tx.inTenant(tenantId, (m) =>
      m.query<{ la_code: string | null; kind: string }[]>(
        'select la_code, kind from tenants where id = $1',
        [tenantId],
      ),
    );
    const profile = req.profileId ? await this.profile(tenantId, req.profileId) : undefined;
    const datasetId = randomUUID();
    const problems: Problem[] = [];
    let summary: ImportReport | null = null;
    let counts = { schools: 0, observations: 0, areaObservations: 0 };

    try {
      await this.tx.inTenant(tenantId, async (m) => {
        if (retryOf) await this.removeFailed(m, tenantId, retryOf);
        await this.insertDataset(
          m,
          tenantId,
          datasetId,
          contentHash,
          req.file.name,
          uploadedBy,
          'importing',
        );
        const writer = new ObservationWriter(m, tenantId, datasetId);
        let rows = 0;
        for await (const record of importFile({
          file: { name: req.file.name, bytes: req.file.open() },
          meta: req.meta ? { name: req.meta.name, bytes: req.meta.open() } : undefined,
          profile,
          isKnownLaCode,
          restrictToLaCodes: tenant?.la_code ? [tenant.la_code] : undefined,
          maxBytes: this.config.UPLOAD_MAX_BYTES,
        })) {
          switch (record.kind) {
            case 'school':
              await writer.school(toRegisterEntry(record.school));
              break;
            case 'observation':
              await writer.observation(record.observation);
              if (++rows % 5_000 === 0) req.onProgress?.(record.line);
              break;
            case 'summary-observation':
              await writer.area(record.observation);
              break;
            case 'problem':
              if (problems.length < REPORT_PROBLEMS) problems.push(record.problem);
              break;
            case 'end':
              summary = record.report;
              break;
            default:
              break;
          }
        }
        await writer.flush();
        counts = writer.counts;
        if (!summary?.accepted) throw new RejectedImport();
        await this.publish(m, tenantId, datasetId, summary, problems, counts);
      });
      return { datasetId, status: 'published', unchanged: false };
    } catch (error) {
      if (!(error instanceof RejectedImport)) {
        const problem = problemFromDatabase(req.file.name, error);
        if (!problem) throw error;
        problems.unshift(problem);
      }
      await this.tx.inTenant(tenantId, async (m) => {
        if (retryOf) await this.removeFailed(m, tenantId, retryOf);
        await this.insertDataset(
          m,
          tenantId,
          datasetId,
          contentHash,
          req.file.name,
          uploadedBy,
          'failed',
        );
        await this.storeReport(m, tenantId, datasetId, summary, problems, {
          schools: 0,
          observations: 0,
          areaObservations: 0,
        });
      });
      return { datasetId, status: 'failed', unchanged: false };
    }
  }

  private async identityHash(req: DatasetImportRequest): Promise<string> {
    const data = await sha256Of(req.file);
    if (!req.meta && !req.profileId) return data;
    const meta = req.meta ? await sha256Of(req.meta) : '';
    return sha256Of({ name: 'identity', open: () => `${data}:${meta}:${req.profileId ?? ''}` });
  }

  private async profile(tenantId: string, profileId: string): Promise<MappingProfile> {
    const [row] = await this.tx.inTenant(tenantId, (m) =>
      m.query<{ name: string; definition: unknown }[]>(
        'select name, definition from mapping_profiles where tenant_id = $1 and id = $2',
        [tenantId, profileId],
      ),
    );
    if (!row) throw notFound(`Mapping profile ${profileId}`);
    const parsed = parseMappingProfile(row.definition, undefined, row.name);
    if (!parsed.profile) {
      throw badInput(
        `Mapping profile ${row.name} is not valid: ${parsed.problems.map((p) => p.message).join('; ')}`,
      );
    }
    return parsed.profile;
  }

  private async removeFailed(m: EntityManager, tenantId: string, id: string): Promise<void> {
    await m.query("delete from datasets where tenant_id = $1 and id = $2 and status = 'failed'", [
      tenantId,
      id,
    ]);
  }

  private async insertDataset(
    m: EntityManager,
    tenantId: string,
    id: string,
    contentHash: string,
    fileName: string,
    uploadedBy: string | null,
    status: 'importing' | 'failed',
  ): Promise<void> {
    await m.query(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status, uploaded_by)
       values ($1, $2, $3, 1, $4, $5, $6, $7)`,
      [tenantId, id, `pending:${id}`, fileName.slice(0, 300), contentHash, status, uploadedBy],
    );
  }

  /** Makes the new version the current one of its series, in the import's transaction. */
  private async publish(
    m: EntityManager,
    tenantId: string,
    id: string,
    summary: ImportReport,
    problems: Problem[],
    counts: ObservationWriter['counts'],
  ): Promise<void> {
    const periods = [...new Set(summary.periods.map((p) => p.timePeriod))].sort();
    const series = `${summary.adapter ?? 'unknown'}:${periods.join('+')}`;
    await m.query(
      `update datasets set is_current = false where tenant_id = $1 and series = $2 and is_current`,
      [tenantId, series],
    );
    await m.query(
      `update datasets set series = $3::varchar, status = 'published', is_current = true, published_at = now(), progress = 100,
         version = coalesce((select max(version) from datasets where tenant_id = $1 and series = $3::varchar), 0) + 1
       where tenant_id = $1 and id = $2`,
      [tenantId, id, series],
    );
    await this.storeReport(m, tenantId, id, summary, problems, counts);
  }

  private async storeReport(
    m: EntityManager,
    tenantId: string,
    id: string,
    summary: ImportReport | null,
    problems: Problem[],
    counts: ObservationWriter['counts'],
  ): Promise<void> {
    const report: StoredReport = { summary, problems };
    const errors = Math.max(
      summary?.errorCount ?? 0,
      problems.filter((p) => p.severity === 'error').length,
    );
    await m.query(
      `update datasets set format = $3, rows_read = $4, observation_count = $5, area_observation_count = $6,
         school_count = $7, error_count = $8, warning_count = $9, periods = $10, report = $11
       where tenant_id = $1 and id = $2`,
      [
        tenantId,
        id,
        summary?.adapter ?? null,
        summary?.rows ?? 0,
        counts.observations,
        counts.areaObservations,
        counts.schools,
        errors,
        summary?.warningCount ?? 0,
        [...new Set((summary?.periods ?? []).map((p) => p.timePeriod))].sort(),
        JSON.stringify(report),
      ],
    );
  }
}
