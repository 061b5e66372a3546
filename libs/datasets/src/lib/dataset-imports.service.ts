import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import {
  importFileBatches,
  loadEesReferenceLists,
  parseMappingProfile,
  ruleGuidance,
  type EesReferenceLists,
  type ImportReport,
  type MappingProfile,
  type Observation,
  type Problem,
  type SchoolRecord,
} from '@schoolbench/data-format-core';
import { badInput, DomainError, notFound } from '@schoolbench/graphql';
import { LaRegister } from '@schoolbench/la-register';
import type { JobPayloads } from '@schoolbench/queue';
import type { RegisterEntry } from '@schoolbench/schools';
import { TenantTransactions } from '@schoolbench/tenancy';

import { problemFromDatabase } from './database-problems';
import { datasetSeries } from './dataset-series';
import { sha256Of, type DatasetSource } from './dataset-source';
import { ObservationWriter } from './observation-writer';
import {
  deleteUploadChunks,
  storedUploadSize,
  storedUploadSource,
  type UploadPart,
} from './upload-chunks';

/** Problems kept in a stored report; counts by rule stay exact beyond it. */
const REPORT_PROBLEMS = 1000;

/** Earlier-year copies compared per file (a KS4 file repeats about 60 columns per school). */
const EARLIER_YEAR_VALUES = 200_000;

/**
 * Earlier-year copies (`PTRWM_EXP_17` in a 2018/19 file) against the values stored from that
 * year's own file (the tenant's current datasets): each difference is one warning.
 */
async function earlierYearDifferences(
  m: EntityManager,
  tenantId: string,
  copies: readonly Observation[],
): Promise<Problem[]> {
  const rows = await m.query<
    { i: string; value: number | null; suppression: string | null; file_name: string }[]
  >(
    `select k.i, o.value, o.suppression, d.file_name
     from unnest($2::int[], $3::text[], $4::int[], $5::text[]) with ordinality
            as k(urn, measure, time_period, breakdown, i)
     join observations o on o.tenant_id = $1 and o.urn = k.urn and o.measure = k.measure
                        and o.time_period = k.time_period and o.breakdown = k.breakdown
     join datasets d on d.tenant_id = o.tenant_id and d.id = o.dataset_id and d.is_current`,
    [
      tenantId,
      copies.map((o) => Number(o.urn)),
      copies.map((o) => o.measure),
      copies.map((o) => Number(o.period.timePeriod)),
      copies.map((o) => o.breakdown),
    ],
  );
  const problems: Problem[] = [];
  const show = (value: number | null, suppression: string | null) =>
    value === null ? (suppression ?? '') : String(value);
  for (const r of rows) {
    const copy = copies[Number(r.i) - 1];
    if (!copy) continue;
    const same =
      copy.value === null
        ? r.value === null && r.suppression === copy.suppression
        : r.value !== null && Math.abs(r.value - copy.value) < 1e-9;
    if (same) continue;
    const guidance = ruleGuidance('earlier_year_differs');
    problems.push({
      file: '',
      line: null,
      column: copy.sourceColumn,
      value: show(copy.value, copy.suppression),
      rule: 'earlier_year_differs',
      severity: guidance.severity,
      message: `URN ${copy.urn}: ${copy.sourceColumn} repeats ${copy.measure} (${copy.breakdown}) for ${copy.period.timePeriod} as ${show(copy.value, copy.suppression)}, but ${r.file_name} has ${show(r.value, r.suppression)}.`,
      fix: guidance.fix,
    });
  }
  return problems;
}

/** The report with `n` more warnings of one rule (counts stay exact). */
function withWarnings(summary: ImportReport, rule: string, n: number): ImportReport {
  if (n === 0) return summary;
  const counts = summary.problemCounts.filter((c) => c.rule !== rule);
  const existing = summary.problemCounts.find((c) => c.rule === rule)?.count ?? 0;
  return {
    ...summary,
    warningCount: summary.warningCount + n,
    problemCounts: [...counts, { rule, severity: 'warning', count: existing + n }],
  };
}

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

export type DatasetStatus = 'queued' | 'importing' | 'published' | 'failed';

export interface DatasetImportOutcome {
  datasetId: string;
  status: DatasetStatus;
  /**
   * True when the same file was imported (or queued) before: nothing was written this time, and
   * `status` is that dataset's.
   */
  unchanged: boolean;
}

/** Points in a stored import where tests may stop or fail it; `publishing` is inside its transaction. */
export type StoredImportPhase = 'progress' | 'publishing';

export interface StoredImportAttempt {
  /** Mirrors progress (0–100) somewhere else too, e.g. the BullMQ job. */
  reportProgress?(progress: number): Promise<void>;
}

class RejectedImport extends Error {}

/** Thrown at the end of a validation to roll back everything it wrote. */
class ValidationOnly extends Error {}

/** What a validation (an import that writes nothing) found. */
export interface DatasetValidation {
  /** True when an import of the same file would publish. */
  readonly valid: boolean;
  readonly report: StoredReport;
  /** What the import would have written. */
  readonly counts: ObservationWriter['counts'];
}

const NO_COUNTS: ObservationWriter['counts'] = { schools: 0, observations: 0, areaObservations: 0 };

/** The stored upload's dataset is no longer waiting for an import (done by an earlier attempt). */
class NothingToImport extends Error {}

/** Another upload of the same bytes got there first (it held the lock while it imported). */
class AlreadyImported extends Error {
  constructor(readonly dataset: { id: string; status: DatasetStatus }) {
    super(`Dataset ${dataset.id} has the same content`);
  }
}

interface ParsedImport {
  summary: ImportReport | null;
  counts: ObservationWriter['counts'];
}

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

/** TypeORM answers an UPDATE … RETURNING with `[rows, affected]`. */
async function updateReturning<T>(m: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const [rows] = await m.query<[T[], number]>(sql, params);
  return rows;
}

function mappingProfileProblem(file: string, message: string): Problem {
  return {
    file,
    line: null,
    column: null,
    value: null,
    rule: 'mapping_profile',
    severity: 'error',
    message,
    fix: 'Choose an existing, valid mapping profile and upload the file again.',
  };
}

/**
 * Imports one file as a dataset version, all or nothing: every row is written inside one tenant
 * transaction that commits only when the validation report has no errors. A failed import keeps
 * its report (a dataset row with status `failed`) and nothing else.
 */
@Injectable()
export class DatasetImports {
  /**
   * Called as a stored import reports progress and inside its transaction just before it
   * publishes. Does nothing in service; fault tests replace it to stall or fail an import there.
   */
  checkpoint: (phase: StoredImportPhase, datasetId: string) => Promise<void> | void = () =>
    undefined;

  /** DfE's EES screener lists, read once per process (fails fast when the folder is missing). */
  private readonly eesReferenceLists: EesReferenceLists;

  constructor(
    private readonly tx: TenantTransactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.eesReferenceLists = loadEesReferenceLists(config.EES_REFERENCE_LISTS_DIR);
  }

  async importInto(
    tenantId: string,
    uploadedBy: string | null,
    req: DatasetImportRequest,
  ): Promise<DatasetImportOutcome> {
    // The same bytes read the same way are the same dataset: a second upload changes nothing.
    const contentHash = await this.identityHash(req);
    const existing = await this.existingWithHash(tenantId, contentHash);
    if (existing && existing.status !== 'failed') {
      return { datasetId: existing.id, status: existing.status, unchanged: true };
    }
    const profile = req.profileId ? await this.profile(tenantId, req.profileId) : undefined;
    const datasetId = randomUUID();
    const problems: Problem[] = [];
    const parsed: ParsedImport = { summary: null, counts: NO_COUNTS };

    try {
      await this.tx.inTenant(tenantId, async (m) => {
        // Two uploads of the same bytes at once: the second waits here until the first commits,
        // then finds its dataset and changes nothing. A failed import holds only its report:
        // validate again (rules or the LA register may have changed), replacing that report.
        const current = await this.claimContentHash(m, tenantId, contentHash);
        if (current && current.status !== 'failed') throw new AlreadyImported(current);
        if (current) await this.removeFailed(m, tenantId, current.id);
        await this.insertDataset(
          m,
          tenantId,
          datasetId,
          contentHash,
          req.file.name,
          uploadedBy,
          'importing',
        );
        await this.readInto(m, tenantId, datasetId, req, profile, problems, parsed);
        if (!parsed.summary?.accepted) throw new RejectedImport();
        await this.publish(m, tenantId, datasetId, parsed.summary, problems, parsed.counts);
      });
      return { datasetId, status: 'published', unchanged: false };
    } catch (error) {
      if (error instanceof AlreadyImported) {
        return { datasetId: error.dataset.id, status: error.dataset.status, unchanged: true };
      }
      this.reportOrRethrow(req.file.name, error, problems);
      const other = await this.tx.inTenant(tenantId, async (m) => {
        const current = await this.claimContentHash(m, tenantId, contentHash);
        // Published by a concurrent upload meanwhile: that one stands.
        if (current && current.status !== 'failed') return current;
        if (current) await this.removeFailed(m, tenantId, current.id);
        await this.insertDataset(
          m,
          tenantId,
          datasetId,
          contentHash,
          req.file.name,
          uploadedBy,
          'failed',
        );
        await this.storeReport(m, tenantId, datasetId, parsed.summary, problems, NO_COUNTS);
        return undefined;
      });
      if (other) return { datasetId: other.id, status: other.status, unchanged: true };
      return { datasetId, status: 'failed', unchanged: false };
    }
  }

  /**
   * Runs the whole pipeline on a file (parsing, the rules, the LA register, and the database's
   * own checks: the register, duplicate keys, foreign keys), reports as an import does, and
   * writes nothing: every statement runs in one transaction that is rolled back, whatever the
   * outcome. Not a dry run of the checks alone: a file that validates imports.
   */
  async validate(
    tenantId: string,
    req: Omit<DatasetImportRequest, 'profileId'> & { profileId?: string },
  ): Promise<DatasetValidation> {
    const profile = req.profileId ? await this.profile(tenantId, req.profileId) : undefined;
    const problems: Problem[] = [];
    const parsed: ParsedImport = { summary: null, counts: NO_COUNTS };
    let valid = false;
    try {
      await this.tx.inTenant(tenantId, async (m) => {
        // The rows need a dataset to belong to while they are checked; it goes with the
        // rollback. Its hash is its own, so a published or failed dataset of the same file
        // (content hashes are unique per tenant) does not stop the validation.
        const datasetId = randomUUID();
        const placeholderHash = createHash('sha256').update(datasetId).digest('hex');
        await this.insertDataset(
          m,
          tenantId,
          datasetId,
          placeholderHash,
          req.file.name,
          null,
          'importing',
        );
        await this.readInto(m, tenantId, datasetId, req, profile, problems, parsed);
        valid = parsed.summary?.accepted === true;
        throw new ValidationOnly();
      });
    } catch (error) {
      if (!(error instanceof ValidationOnly)) {
        this.reportOrRethrow(req.file.name, error, problems);
        valid = false;
      }
    }
    return { valid, report: { summary: parsed.summary, problems }, counts: parsed.counts };
  }

  /**
   * Imports an upload stored by `DatasetUploads` into its `queued` dataset, as the worker does:
   * the chunks stream through the same pipeline, progress is committed as it goes (others read it
   * while the import's own transaction is still open), and rows, publication and the removal of
   * the chunks commit together. Bad input marks the dataset `failed` with its report and writes
   * nothing else. Safe to run again after a crash: a dataset already published or failed is left
   * alone, and two attempts on one dataset never run at once.
   */
  async importStored(
    payload: JobPayloads['dataset.import'],
    attempt: StoredImportAttempt = {},
  ): Promise<DatasetImportOutcome> {
    const { tenantId, datasetId } = payload;
    const claimed = await this.tx.inTenantApart(tenantId, (m) =>
      updateReturning<{ file_name: string; status: DatasetStatus }>(
        m,
        `update datasets set status = 'importing', progress = 0
         where tenant_id = $1 and id = $2 and status in ('queued', 'importing')
         returning file_name, status`,
        [tenantId, datasetId],
      ),
    );
    if (!claimed.length) return this.finished(tenantId, datasetId);
    const fileName = claimed[0].file_name;
    const problems: Problem[] = [];
    const parsed: ParsedImport = { summary: null, counts: NO_COUNTS };

    let reported = -1;
    const progress = async (value: number): Promise<void> => {
      if (value <= reported) return;
      reported = value;
      await this.tx.inTenantApart(tenantId, (m) =>
        m.query(
          `update datasets set progress = $3 where tenant_id = $1 and id = $2 and status = 'importing'`,
          [tenantId, datasetId, value],
        ),
      );
      await attempt.reportProgress?.(value);
      await this.checkpoint('progress', datasetId);
    };

    try {
      const profile = payload.profileId
        ? await this.profile(tenantId, payload.profileId)
        : undefined;
      // One after the other: a transaction is one connection, which runs one query at a time.
      const [data, meta] = await this.tx.inTenant(tenantId, async (m) => [
        await storedUploadSize(m, tenantId, datasetId, 'data'),
        await storedUploadSize(m, tenantId, datasetId, 'meta'),
      ]);
      // Progress is the share of the data file parsed (to 90), then 95 once the staged rows are in
      // `observations`, and 100 only once published.
      const source = (part: UploadPart, chunks: number, name: string) =>
        storedUploadSource(this.tx, tenantId, datasetId, part, name, chunks, (bytes) =>
          part === 'data' && data.bytes > 0
            ? progress(Math.min(90, Math.floor((bytes * 90) / data.bytes)))
            : Promise.resolve(),
        );
      await progress(0);
      await this.tx.inTenant(tenantId, async (m) => {
        // A second worker on the same dataset (a stalled job taken up again) waits here, then
        // finds it published and leaves.
        await m.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [datasetId]);
        const [row] = await m.query<{ status: DatasetStatus }[]>(
          'select status from datasets where tenant_id = $1 and id = $2',
          [tenantId, datasetId],
        );
        if (row?.status !== 'importing') throw new NothingToImport();
        await this.readInto(
          m,
          tenantId,
          datasetId,
          {
            file: source('data', data.chunks, fileName),
            meta: meta.chunks ? source('meta', meta.chunks, `${fileName}.meta.csv`) : undefined,
          },
          profile,
          problems,
          parsed,
        );
        if (!parsed.summary?.accepted) throw new RejectedImport();
        await progress(95);
        await this.checkpoint('publishing', datasetId);
        await this.publish(m, tenantId, datasetId, parsed.summary, problems, parsed.counts);
        await deleteUploadChunks(m, tenantId, datasetId);
      });
      await attempt.reportProgress?.(100);
      return { datasetId, status: 'published', unchanged: false };
    } catch (error) {
      if (error instanceof NothingToImport) return this.finished(tenantId, datasetId);
      if (error instanceof DomainError) {
        // The mapping profile named at upload was deleted or changed since.
        problems.unshift(mappingProfileProblem(fileName, error.message));
      } else {
        this.reportOrRethrow(fileName, error, problems);
      }
      await this.failStored(tenantId, datasetId, parsed.summary, problems);
      return { datasetId, status: 'failed', unchanged: false };
    }
  }

  /**
   * Marks a stored import failed with one problem saying why, and drops its chunks: for a job
   * that ran out of attempts on errors that were not the file's (the database or worker).
   */
  async recordStoredFailure(payload: JobPayloads['dataset.import'], reason: string): Promise<void> {
    const [row] = await this.tx.inTenant(payload.tenantId, (m) =>
      m.query<{ file_name: string }[]>(
        'select file_name from datasets where tenant_id = $1 and id = $2',
        [payload.tenantId, payload.datasetId],
      ),
    );
    if (!row) return;
    await this.failStored(payload.tenantId, payload.datasetId, null, [
      {
        file: row.file_name,
        line: null,
        column: null,
        value: null,
        rule: 'import_not_completed',
        severity: 'error',
        message: `The import stopped before it could finish, after several attempts: ${reason}`,
        fix: 'Upload the file again. If it fails the same way, tell your SchoolBench operator.',
      },
    ]);
  }

  /**
   * Takes the tenant's lock on these bytes for the rest of `m`'s transaction (a concurrent upload
   * of the same file waits for it), then answers the dataset that already has them, if any.
   */
  async claimContentHash(
    m: EntityManager,
    tenantId: string,
    contentHash: string,
  ): Promise<{ id: string; status: DatasetStatus } | undefined> {
    // The wait lasts as long as the other import of these bytes, which is bounded by the upload
    // size, not by the API's per-statement timeout: on Citus (slower imports) a second upload of
    // a KS2 file was answered STATEMENT_TIMEOUT while the first was still writing.
    await m.query("select set_config('statement_timeout', '0', true)");
    await m.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `dataset-content:${tenantId}:${contentHash}`,
    ]);
    const [row] = await m.query<{ id: string; status: DatasetStatus }[]>(
      'select id, status from datasets where tenant_id = $1 and content_hash = $2',
      [tenantId, contentHash],
    );
    return row;
  }

  /** The dataset with this content hash in the tenant, if any. */
  async existingWithHash(
    tenantId: string,
    contentHash: string,
  ): Promise<{ id: string; status: DatasetStatus } | undefined> {
    const [existing] = await this.tx.inTenant(tenantId, (m) =>
      m.query<{ id: string; status: DatasetStatus }[]>(
        'select id, status from datasets where tenant_id = $1 and content_hash = $2',
        [tenantId, contentHash],
      ),
    );
    return existing;
  }

  /**
   * Parses and validates the file, writing its schools and observations in `m`'s transaction.
   * Problems and the summary go into `problems` and `parsed` as they come, so a failure part way
   * still has them for its report.
   */
  private async readInto(
    m: EntityManager,
    tenantId: string,
    datasetId: string,
    req: Pick<DatasetImportRequest, 'file' | 'meta' | 'onProgress'>,
    profile: MappingProfile | undefined,
    problems: Problem[],
    parsed: ParsedImport,
  ): Promise<void> {
    // An import is bounded by the upload size (larger ones go to a worker), not by the API's
    // per-statement timeout (DATABASE_STATEMENT_TIMEOUT_MS): lift it for this transaction only.
    await m.query("select set_config('statement_timeout', '0', true)");
    const [tenant] = await m.query<{ la_code: string | null }[]>(
      'select la_code from tenants where id = $1',
      [tenantId],
    );
    const writer = new ObservationWriter(m, tenantId, datasetId);
    const earlier: Observation[] = [];
    let rows = 0;
    // Records come in batches (one await per batch, not per record); the writer is awaited only
    // when it sends a batch to the database.
    for await (const batch of importFileBatches({
      file: { name: req.file.name, bytes: req.file.open() },
      meta: req.meta ? { name: req.meta.name, bytes: req.meta.open() } : undefined,
      profile,
      isKnownLaCode,
      eesReferenceLists: this.eesReferenceLists,
      restrictToLaCodes: tenant?.la_code ? [tenant.la_code] : undefined,
      maxBytes: this.config.UPLOAD_MAX_BYTES,
    })) {
      for (const record of batch) {
        let sending: Promise<void> | undefined;
        switch (record.kind) {
          case 'school':
            sending = writer.school(toRegisterEntry(record.school));
            break;
          case 'observation':
            sending = writer.observation(record.observation);
            if (++rows % 5_000 === 0) req.onProgress?.(record.line);
            break;
          case 'summary-observation':
            sending = writer.area(record.observation);
            break;
          case 'earlier-year-value':
            if (earlier.length < EARLIER_YEAR_VALUES) earlier.push(record.observation);
            break;
          case 'problem':
            if (problems.length < REPORT_PROBLEMS) problems.push(record.problem);
            break;
          case 'end':
            parsed.summary = record.report;
            break;
          default:
            break;
        }
        if (sending) await sending;
      }
    }
    await writer.flush();
    parsed.counts = writer.counts;
    if (parsed.summary && earlier.length > 0) {
      const differences = await earlierYearDifferences(m, tenantId, earlier);
      for (const p of differences) if (problems.length < REPORT_PROBLEMS) problems.push(p);
      parsed.summary = withWarnings(parsed.summary, 'earlier_year_differs', differences.length);
    }
  }

  /** A rejected file or a database error a bad file can cause goes into the report; others rethrow. */
  private reportOrRethrow(fileName: string, error: unknown, problems: Problem[]): void {
    if (error instanceof RejectedImport) return;
    const problem = problemFromDatabase(fileName, error);
    if (!problem) throw error;
    problems.unshift(problem);
  }

  private async failStored(
    tenantId: string,
    datasetId: string,
    summary: ImportReport | null,
    problems: Problem[],
  ): Promise<void> {
    await this.tx.inTenant(tenantId, async (m) => {
      const updated = await updateReturning<{ id: string }>(
        m,
        `update datasets set status = 'failed'
         where tenant_id = $1 and id = $2 and status in ('queued', 'importing') returning id`,
        [tenantId, datasetId],
      );
      if (!updated.length) return;
      await this.storeReport(m, tenantId, datasetId, summary, problems, NO_COUNTS);
      await deleteUploadChunks(m, tenantId, datasetId);
    });
  }

  private async finished(tenantId: string, datasetId: string): Promise<DatasetImportOutcome> {
    const [row] = await this.tx.inTenant(tenantId, (m) =>
      m.query<{ status: DatasetStatus }[]>(
        'select status from datasets where tenant_id = $1 and id = $2',
        [tenantId, datasetId],
      ),
    );
    // Gone (a failed dataset replaced by a new upload of the same file): nothing left to do.
    return { datasetId, status: row?.status ?? 'failed', unchanged: true };
  }

  /** What makes two uploads the same dataset: the bytes of the file, its meta file and profile. */
  async identityHash(
    req: Pick<DatasetImportRequest, 'file' | 'meta' | 'profileId'>,
  ): Promise<string> {
    const data = await sha256Of(req.file);
    if (!req.meta && !req.profileId) return data;
    const meta = req.meta ? await sha256Of(req.meta) : '';
    return sha256Of({ name: 'identity', open: () => `${data}:${meta}:${req.profileId ?? ''}` });
  }

  async profile(tenantId: string, profileId: string): Promise<MappingProfile> {
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
    const series = datasetSeries(summary);
    // Two versions of one series published at once: the second waits for the first to commit,
    // then supersedes it (one current version, numbered in order).
    await m.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `dataset-series:${tenantId}:${series}`,
    ]);
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
