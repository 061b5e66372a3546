import type { EntityManager } from 'typeorm';

import { ComparisonInputError } from '@schoolbench/comparisons-core';
import { badInput, DomainError, notFound } from '@schoolbench/graphql';

import type { ComparisonParameters, DatasetVersion } from './comparison-request';
import {
  ComparisonPopulation,
  ComparisonRunStatus,
  type ComparisonRunModel,
  type ComparisonRunSummaryModel,
} from './models/comparison-run.model';

/** A `comparison_runs` row as the driver returns it. */
export interface ComparisonRunRow {
  tenant_id: string;
  id: string;
  requested_by: string | null;
  method: string;
  method_version: number;
  parameters: ComparisonParameters;
  dataset_versions: DatasetVersion[];
  status: `${ComparisonRunStatus}`;
  progress: number;
  message: string | null;
  error: string | null;
  stale: boolean;
  result_key: string;
  attempts: number;
  summary: Partial<ComparisonRunSummaryModel>;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function toRunModel(r: ComparisonRunRow): ComparisonRunModel {
  const p = r.parameters;
  const s = r.summary;
  return {
    id: r.id,
    status: r.status as ComparisonRunStatus,
    progress: r.progress,
    message: r.message,
    error: r.error,
    method: r.method,
    methodVersion: r.method_version,
    parameters: {
      targetUrn: p.targetUrn,
      allSchools: p.allSchools,
      phase: p.phase,
      period: p.period,
      k: p.k,
      outcomeMeasures: [...p.outcomeMeasures],
      population: p.population as ComparisonPopulation,
      features: p.features ? [...p.features] : null,
      weights: p.weights
        ? Object.entries(p.weights).map(([feature, weight]) => ({ feature, weight }))
        : null,
    },
    datasetVersions: r.dataset_versions.map((d) => d.id),
    attempts: r.attempts,
    summary:
      s.populationSize === undefined
        ? null
        : {
            populationSize: s.populationSize,
            populationExcluded: s.populationExcluded ?? 0,
            features: s.features ?? [],
            targets: s.targets ?? 0,
            excludedTargets: s.excludedTargets ?? [],
            notes: s.notes ?? [],
          },
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Stale runs are not served: their numbers rest on data the tenant may no longer read. */
export function staleRun(id: string): DomainError {
  return new DomainError(
    'NOT_FOUND',
    `Comparison run ${id} is stale: it was built on data your authority can no longer read. Request the comparison again.`,
    { stale: true },
  );
}

export function runNotFound(id: string): DomainError {
  return notFound(`Comparison run ${id}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function runId(id: string): string {
  if (!isRunId(id)) throw badInput(`"${id}" is not a comparison run id`, { field: 'id' });
  return id;
}

/** Whether `id` has the form of a run id (a UUID). */
export function isRunId(id: string): boolean {
  return UUID.test(id);
}

/** The library's input errors are the caller's to fix: BAD_USER_INPUT with its message. */
export function asUserError(error: unknown): unknown {
  return error instanceof ComparisonInputError
    ? badInput(error.message, { ...error.details })
    : error;
}

/** `UPDATE … RETURNING` through TypeORM answers `[rows, affected]`; this gives the rows. */
export async function updateReturning<T>(
  m: EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const [rows] = await m.query<[T[], number]>(sql, params);
  return rows;
}
