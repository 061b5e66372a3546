import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';

import {
  APP_ROLE,
  createCitusDatabase,
  createDatabase,
  dropCitusDatabase,
  dropDatabase,
  ensureRoles,
  OWNER_ROLE,
  runMigrations,
  withDatabase,
} from '@schoolbench/database';
import { tenantSettingSql } from '@schoolbench/tenancy';

import { adminUrl, templateDatabase, testDistribution, testRunId } from './test-run';

export interface TestDatabase {
  name: string;
  /** As the app role: what the services use. */
  appUrl: string;
  /** As the owner role: migrations. */
  ownerUrl: string;
  /** As the superuser: test setup and before/after snapshots, bypassing RLS. */
  adminUrl: string;
  redisPrefix: string;
  /** Points the services' configuration (process.env) at this database and Redis prefix. */
  useForServices(): void;
  /** Runs SQL as the superuser. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs hand-written SQL as the app role inside a transaction of `tenantId` (and of `userId`,
   * for functions that check who acts), as the services do: what row-level security really allows.
   */
  asTenant<T = Record<string, unknown>>(
    tenantId: string,
    sql: string,
    params?: unknown[],
    userId?: string,
  ): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template, and a Redis key prefix of its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${testRunId()}_${randomBytes(4).toString('hex')}`;
  if (testDistribution() === 'citus') {
    await createCitusDatabase(adminUrl(), name, OWNER_ROLE, templateDatabase());
  } else {
    await createDatabase(adminUrl(), name, templateDatabase());
  }
  return testDatabaseOn(adminUrl(), name);
}

/**
 * A fresh database with every migration applied on another PostgreSQL server (a fault test's
 * private cluster), its roles created first: slower than a clone of the run's template.
 */
export async function createMigratedDatabase(serverAdminUrl: string): Promise<TestDatabase> {
  const name = `${testRunId()}_${randomBytes(4).toString('hex')}`;
  await ensureRoles(serverAdminUrl);
  await createDatabase(serverAdminUrl, name);
  await runMigrations(withDatabase(serverAdminUrl, name, OWNER_ROLE));
  return testDatabaseOn(serverAdminUrl, name);
}

/**
 * The same handle on a database that already exists (e.g. one a test restored from a backup);
 * name it with the run's prefix (`testRunId()`) so global teardown drops it if the test does not.
 */
export function attachTestDatabase(name: string): TestDatabase {
  return testDatabaseOn(adminUrl(), name);
}

function testDatabaseOn(serverAdminUrl: string, name: string): TestDatabase {
  const admin = withDatabase(serverAdminUrl, name);
  const redisPrefix = `${name}`;
  const db: TestDatabase = {
    name,
    appUrl: withDatabase(serverAdminUrl, name, APP_ROLE),
    ownerUrl: withDatabase(serverAdminUrl, name, OWNER_ROLE),
    adminUrl: admin,
    redisPrefix,
    useForServices() {
      process.env.DATABASE_URL = db.appUrl;
      process.env.DATABASE_OWNER_URL = db.ownerUrl;
      process.env.DATABASE_ADMIN_URL = serverAdminUrl;
      process.env.REDIS_PREFIX = redisPrefix;
      process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
      process.env.NODE_ENV = 'test';
      // Each test process signs its tokens with a secret of its own, never one in the repository.
      process.env.JWT_SECRET ??= randomBytes(32).toString('hex');
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const client = new Client({ connectionString: admin });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    async asTenant<T>(tenantId: string, sql: string, params: unknown[] = [], userId = '') {
      const client = new Client({ connectionString: db.appUrl });
      await client.connect();
      try {
        await client.query('begin');
        for (const statement of tenantSettingSql(tenantId, userId)) await client.query(statement);
        const rows = (await client.query(sql, params)).rows as T[];
        await client.query('commit');
        return rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      if (testDistribution() === 'citus' && serverAdminUrl === adminUrl()) {
        await dropCitusDatabase(serverAdminUrl, name);
      } else {
        await dropDatabase(serverAdminUrl, name);
      }
      await deleteRedisKeys(redisPrefix);
    },
  };
  return db;
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
