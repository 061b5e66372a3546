import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { DomainError } from '@schoolbench/graphql';
import { RateCounters } from '@schoolbench/queue';
import type { Principal } from '@schoolbench/tenancy';

/** Requests a replica may admit without asking Redis: counted there already, spent here. */
interface Lease {
  left: number;
  until: number;
}

/**
 * The per-tenant request limit (SPEC §9): an authority's users and API keys together make at most
 * TENANT_REQUESTS_PER_MINUTE authenticated requests per minute (fixed windows), counted in Redis
 * across every API replica, so one authority's scripts cannot starve the others.
 *
 * A replica counts requests in Redis in blocks of 1 % of the limit (one request at a time for
 * limits under 200) and admits the block's requests without asking again until the window ends:
 * one Redis round trip per block instead of per request. Every admitted request was counted
 * first, so the limit is never exceeded; a block a replica does not use up is lost for the window,
 * so with several replicas an authority may be refused up to 1 % per replica early.
 */
@Injectable()
export class TenantRequestLimit {
  /** HTTP requests already counted: a GraphQL request is one request, however many root fields. */
  private readonly counted = new WeakSet<object>();
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly counters: RateCounters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async admit(principal: Principal, req: Request | undefined): Promise<void> {
    if (req) {
      if (this.counted.has(req)) return;
      this.counted.add(req);
    }
    const key = `tenant:${principal.tenantId}`;
    const lease = this.leases.get(key);
    if (lease && lease.left > 0 && Date.now() < lease.until) {
      lease.left--;
      return;
    }
    const limit = this.config.TENANT_REQUESTS_PER_MINUTE;
    const block = Math.max(1, Math.floor(limit / 100));
    const { hits, msToReset } = await this.counters.count(key, 60_000, block);
    // Of the block, what fits under the limit (all of it while Redis is away: limits fail open).
    const granted = Math.min(block, limit - (hits - block));
    if (granted > 0) {
      if (granted > 1) this.leases.set(key, { left: granted - 1, until: Date.now() + msToReset });
      else this.leases.delete(key);
      return;
    }
    this.leases.delete(key);
    const retryAfterSeconds = Math.max(1, Math.ceil(msToReset / 1000));
    req?.res?.setHeader('Retry-After', String(retryAfterSeconds));
    throw new DomainError(
      'RATE_LIMITED',
      `Your authority has made its ${limit} requests for this minute: try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }
}
