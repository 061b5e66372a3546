import { z } from 'zod';

const DEV_JWT_SECRET = 'schoolbench-dev-secret-change-me-0123456789';

/** Every setting the services read, validated once at boot. */
export const appConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    /** The app role: owns nothing, no BYPASSRLS. */
    DATABASE_URL: z.url().default('postgres://schoolbench_app@127.0.0.1:5432/schoolbench'),
    /** The owner role: runs migrations only. */
    DATABASE_OWNER_URL: z.url().default('postgres://schoolbench_owner@127.0.0.1:5432/schoolbench'),
    /** A superuser, used only by `cli db:provision` and tests to create roles and databases. */
    DATABASE_ADMIN_URL: z.url().default('postgres://postgres@127.0.0.1:5432/postgres'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z.string().min(1).default('schoolbench'),
    JWT_SECRET: z.string().min(32).default(DEV_JWT_SECRET),
    JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
    REFRESH_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .default(30 * 24 * 3600),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(200 * 1024 * 1024),
    /**
     * Uploads larger than this (data file plus meta file) are stored and imported by a worker
     * (HTTP 202 with a `queued` dataset); smaller ones import within the request.
     */
    IMPORT_IN_BACKGROUND_ABOVE_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(5 * 1024 * 1024),
    LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
    /**
     * A new version of a dataset series queues recomputation of the completed comparison runs
     * that read an older version of it (`true`/`false`).
     */
    COMPARISON_RECOMPUTE_ON_NEW_DATA: z.stringbool().default(true),
    /**
     * How often each worker re-queues comparison runs whose job Redis lost and looks for runs
     * built on superseded dataset versions.
     */
    COMPARISON_UPKEEP_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
    /** How often each worker re-queues dataset imports whose job Redis lost. */
    DATASET_IMPORT_UPKEEP_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(8),
    GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(10).default(2000),
    GRAPHQL_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(100),
    TENANT_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
    /** The web dashboard's port (apps/web); the API keeps PORT. */
    WEB_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** A web session ends after this long without a request… */
    WEB_SESSION_IDLE_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(30 * 60),
    /** …and this long after sign-in, whatever happens. */
    WEB_SESSION_MAX_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .default(12 * 3600),
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.JWT_SECRET !== DEV_JWT_SECRET, {
    message: 'JWT_SECRET must be set to a secret of at least 32 characters in production',
    path: ['JWT_SECRET'],
  });

export type AppConfig = z.infer<typeof appConfigSchema>;

/** Parses the environment; throws one error listing every bad setting. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = appConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The URL with its password replaced, safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
