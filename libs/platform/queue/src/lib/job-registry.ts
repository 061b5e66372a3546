/**
 * Every job the workers run: its name, queue and payload. Payloads carry ids and the tenant only,
 * never bulk data; the processor re-enters the tenant's context from them.
 */
export interface JobPayloads {
  /** Deletes expired, rotated and revoked refresh tokens in every tenant. */
  'refresh-tokens.purge': { olderThanSeconds?: number };
  /** Computes one comparison run (groups and benchmarks) under the tenant that requested it. */
  'comparison.run': { tenantId: string; runId: string };
  /** Queues new runs for the tenant's completed runs that read a superseded dataset version. */
  'comparison.recompute': { tenantId: string };
  /** Imports an upload stored in `dataset_upload_chunks` into its queued dataset. */
  'dataset.import': { tenantId: string; datasetId: string; profileId?: string };
  /** Moves protocols past their end date to EXPIRED and settles their grants. */
  'protocols.expire': Record<string, never>;
  /**
   * Applies the configured retention periods across tenants and deletes the rows of authorities
   * whose exit's retention period is over (docs/operations.md, "Retention").
   */
  'retention.apply': Record<string, never>;
  /** Builds one archive of everything a tenant owns (ADR 0081), read under its own RLS. */
  'tenant-export.build': { tenantId: string; exportId: string };
}

export type JobName = keyof JobPayloads;

export const QUEUES = {
  housekeeping: 'housekeeping',
  comparisons: 'comparisons',
  datasetImports: 'dataset-imports',
  sharing: 'sharing',
  lifecycle: 'lifecycle',
  tenantExports: 'tenant-exports',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOB_QUEUE: { [N in JobName]: QueueName } = {
  'refresh-tokens.purge': QUEUES.housekeeping,
  'comparison.run': QUEUES.comparisons,
  'comparison.recompute': QUEUES.comparisons,
  'dataset.import': QUEUES.datasetImports,
  'protocols.expire': QUEUES.sharing,
  'retention.apply': QUEUES.lifecycle,
  'tenant-export.build': QUEUES.tenantExports,
};

/** Finished jobs are kept by age and count, never forever (Redis memory). */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
