import { DelayedError, type Job } from 'bullmq';

import { isDatabaseUnavailable } from '@schoolbench/database';

/** How long a job that met an unreachable database waits before it tries again. */
export const DATABASE_RETRY_DELAY_MS = 2_000;

/**
 * Runs a job's work; if it fails because the database is unreachable (a restart, a failover),
 * the job goes back to the delayed set without spending one of its attempts, and is tried again
 * every couple of seconds until the database answers. Retries with backoff are for errors of
 * the job; an outage longer than their sum would otherwise fail queued work for good.
 */
export async function waitingOutDatabaseOutages<T>(
  job: Job,
  token: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!token || !isDatabaseUnavailable(error)) throw error;
    await job.moveToDelayed(Date.now() + DATABASE_RETRY_DELAY_MS, token);
    throw new DelayedError(`Waiting for the database: ${(error as Error).message}`);
  }
}
