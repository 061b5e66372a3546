import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { DomainError } from '@schoolbench/graphql';
import { RateCounters } from '@schoolbench/queue';
import type { Principal } from '@schoolbench/tenancy';

/**
 * The per-tenant request limit (SPEC §9): an authority's users and API keys together make at most
 * TENANT_REQUESTS_PER_MINUTE authenticated requests per minute (fixed windows), counted in Redis
 * across every API replica, so one authority's scripts cannot starve the others.
 */
@Injectable()
export class TenantRequestLimit {
  /** HTTP requests already counted: a GraphQL request is one request, however many root fields. */
  private readonly counted = new WeakSet<object>();

  constructor(
    private readonly counters: RateCounters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async admit(principal: Principal, req: Request | undefined): Promise<void> {
    if (req) {
      if (this.counted.has(req)) return;
      this.counted.add(req);
    }
    const limit = this.config.TENANT_REQUESTS_PER_MINUTE;
    const { hits, msToReset } = await this.counters.count(`tenant:${principal.tenantId}`, 60_000);
    if (hits <= limit) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(msToReset / 1000));
    req?.res?.setHeader('Retry-After', String(retryAfterSeconds));
    throw new DomainError(
      'RATE_LIMITED',
      `Your authority has made its ${limit} requests for this minute: try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }
}
