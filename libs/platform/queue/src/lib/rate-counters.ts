import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

import { redisOptions } from './redis-connection';

/** One counted event: how many in the current window, and when the window ends. */
export interface WindowCount {
  hits: number;
  msToReset: number;
}

// INCR and PEXPIRE in one step, so a crash between them cannot leave a counter without expiry.
const COUNT_IN_WINDOW = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if hits == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { hits, ttl }`;

/**
 * Fixed-window counters in Redis, shared by every API replica, so N replicas do not allow N times
 * the attempts. Used for the sign-in throttle (as @nestjs/throttler's storage) and the per-tenant
 * request limit. Small on purpose: the maintained Redis storages for @nestjs/throttler declare
 * peer ranges that stop at Nest 11.
 */
@Injectable()
export class RateCounters implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly logger = new Logger('RateCounters');
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Lazy: processes that load this module but never count (the CLI) never connect.
    this.redis = new Redis({
      ...redisOptions(config.REDIS_URL),
      lazyConnect: true,
      // While Redis is away a count fails at once instead of queueing (see `count`).
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    this.redis.on('error', () => undefined); // reported by the failing call itself
    this.prefix = `${config.REDIS_PREFIX}:rate`;
  }

  /**
   * Counts one event (or `events` at once) for `key` in its current window of `windowMs`. While Redis cannot be
   * reached the event is not counted (hits 0): limits fail open, so a Redis restart does not
   * stop every request and sign-in; the outage is logged.
   */
  async count(key: string, windowMs: number, events = 1): Promise<WindowCount> {
    const window = Math.max(1, Math.round(windowMs));
    const n = Math.max(1, Math.floor(events));
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      const [hits, msToReset] = (await this.redis.eval(
        COUNT_IN_WINDOW,
        1,
        `${this.prefix}:${key}`,
        window,
        n,
      )) as [number, number];
      return { hits, msToReset };
    } catch (error) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(
          `Rate limits are not counted while Redis is unreachable: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return { hits: 0, msToReset: window };
    }
  }

  /** These counters as @nestjs/throttler's storage: over the limit means blocked until reset. */
  throttlerStorage(): ThrottlerStorage {
    return {
      increment: async (key, ttl, limit, _block, name) => {
        const { hits, msToReset } = await this.count(`${name}:${key}`, ttl);
        const seconds = Math.max(1, Math.ceil(msToReset / 1000));
        const isBlocked = hits > limit;
        return {
          totalHits: hits,
          timeToExpire: seconds,
          isBlocked,
          timeToBlockExpire: isBlocked ? seconds : 0,
        };
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'wait') this.redis.disconnect();
    else await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The one RateCounters instance of a process, for the modules that count. */
@Module({ providers: [RateCounters], exports: [RateCounters] })
export class RateCountersModule {}
