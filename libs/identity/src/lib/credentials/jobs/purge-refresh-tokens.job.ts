import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { LessThan } from 'typeorm';

import type { JobPayloads } from '@schoolbench/queue';
import { QUEUES } from '@schoolbench/queue';
import { TenantTransactions } from '@schoolbench/tenancy';

import { RefreshTokenEntity } from '../refresh-token.entity';

export interface PurgeResult {
  tenants: number;
  deleted: number;
}

/** Deletes refresh tokens that can never be used again, tenant by tenant under each one's RLS. */
@Injectable()
export class RefreshTokenPurge {
  constructor(private readonly tx: TenantTransactions) {}

  async purge(olderThanSeconds = 0): Promise<PurgeResult> {
    const tenants = await this.tx.runOutsideTenant((m) =>
      m.query<{ id: string }[]>('select id from tenants order by id'),
    );
    const cutoff = new Date(Date.now() - olderThanSeconds * 1000);
    let deleted = 0;
    for (const { id } of tenants) {
      deleted += await this.tx.inTenant(id, async (m) => {
        const expired = await m.delete(RefreshTokenEntity, {
          tenantId: id,
          expiresAt: LessThan(cutoff),
        });
        const spent = await m
          .createQueryBuilder()
          .delete()
          .from(RefreshTokenEntity)
          .where('tenant_id = :id', { id })
          .andWhere('coalesce(revoked_at, rotated_at) < :cutoff', { cutoff })
          // A rotated token is kept while its family lives, to detect reuse.
          .andWhere(
            `not exists (select 1 from refresh_tokens live where live.tenant_id = refresh_tokens.tenant_id
               and live.family_id = refresh_tokens.family_id and live.rotated_at is null and live.revoked_at is null)`,
          )
          .execute();
        return (expired.affected ?? 0) + (spent.affected ?? 0);
      });
    }
    return { tenants: tenants.length, deleted };
  }
}

@Processor(QUEUES.housekeeping)
export class HousekeepingProcessor extends WorkerHost {
  constructor(private readonly purge: RefreshTokenPurge) {
    super();
  }

  async process(job: Job<JobPayloads['refresh-tokens.purge']>): Promise<PurgeResult> {
    if (job.name !== 'refresh-tokens.purge')
      throw new Error(`Unknown housekeeping job ${job.name}`);
    return this.purge.purge(job.data.olderThanSeconds ?? 0);
  }
}
