import { z } from 'zod';

/**
 * Secrets that were ever written in this repository (an old built-in default, the placeholder of
 * infra/.env.example). Anyone can read them, so a token signed with one proves nothing.
 */
const PUBLISHED_JWT_SECRETS = new Set([
  'schoolbench-dev-secret-change-me-0123456789',
  'change-me-to-at-least-32-random-characters',
]);

/** Comma-separated list of trimmed, non-empty entries. */
const commaList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** Every setting the services read, validated once at boot. */
export const appConfigSchema = z.object({
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
  /**
   * `citus`: the URLs name a Citus coordinator; `db:provision` creates the database on every node
   * and `migrate` distributes the schema (docs/scaling.md). Nothing else in the services changes.
   */
  DATABASE_DISTRIBUTION: z.enum(['single-node', 'citus']).default('single-node'),
  /** Shards per distributed table, when `migrate` first distributes the schema (Citus only). */
  CITUS_SHARD_COUNT: z.coerce.number().int().min(1).max(1024).default(32),
  /**
   * The API's connections cancel any statement running longer than this (node-postgres
   * `statement_timeout`); the request then gets BAD_USER_INPUT with reason STATEMENT_TIMEOUT.
   * 0 turns it off. Workers and the CLI are not bound by it.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().min(1).default('schoolbench'),
  /**
   * Signs and checks access and refresh tokens. No default in any environment: the API refuses
   * to start without it (see `signingSecret`); `npm run demo` generates one for its database.
   */
  JWT_SECRET: z
    .string()
    .min(32)
    .refine((s) => !PUBLISHED_JWT_SECRETS.has(s), {
      message:
        'this value is published in the repository, so anyone could sign tokens with it: generate your own (openssl rand -hex 32)',
    })
    .optional(),
  JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
  REFRESH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  /**
   * Addresses or CIDR ranges of the reverse proxies in front of the API (comma-separated, as
   * Express's `trust proxy` takes them, e.g. `10.0.0.0/8,127.0.0.1`). `X-Forwarded-For` is
   * believed only when it comes from one of them; default none, so the client address is the
   * peer of the TCP connection.
   */
  TRUSTED_PROXIES: commaList,
  /** Sign-in attempts per account (normalised e-mail) per minute, whatever the address. */
  LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /**
   * Sign-in attempts per client address per minute, whatever the account. Default: five times
   * LOGIN_ATTEMPTS_PER_MINUTE (a school office signs in several people from one address).
   */
  LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).optional(),
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
  /**
   * Days an authority's rows are kept after its exit starts (so a mistaken exit can be undone
   * and the authority can take its export) before they are deleted. docs/sharing.md §11.
   */
  TENANT_EXIT_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /** Retention (days; 0 keeps for ever): the access log, docs/operations.md "Retention". */
  RETENTION_ACCESS_LOG_DAYS: z.coerce.number().int().min(0).default(0),
  /** Failed datasets (their report and rows) are deleted this many days after they failed. */
  RETENTION_FAILED_DATASETS_DAYS: z.coerce.number().int().min(0).default(90),
  /** Finished comparison runs (completed, failed, cancelled) with their groups and benchmarks. */
  RETENTION_FINISHED_RUNS_DAYS: z.coerce.number().int().min(0).default(365),
  /** Invitations that expired this many days ago are withdrawn (user rows never signed in). */
  RETENTION_EXPIRED_INVITATIONS_DAYS: z.coerce.number().int().min(0).default(30),
  /**
   * Folder holding DfE's EES screener reference lists (wards, LAs, ethnicity values, data
   * dictionary, ...: docs/data-format.md "DfE's reference lists"). DfE's data, never copied into
   * the repository or the image; a relative path is taken from the working directory. Read once
   * when the dataset importer starts; a missing list stops it with the file named.
   */
  EES_REFERENCE_LISTS_DIR: z.string().min(1).default('../shared/data/ees/lookups'),
  /** A tenant export's archive can be downloaded this many hours after it is ready (ADR 0081). */
  TENANT_EXPORT_EXPIRY_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(72),
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

/**
 * The token-signing secret, for the processes that sign or check tokens (the API). Throws a
 * message that says how to set it, so such a process cannot start without one.
 */
export function signingSecret(config: Pick<AppConfig, 'JWT_SECRET'>): string {
  if (!config.JWT_SECRET) {
    throw new Error(
      'JWT_SECRET is not set. The API signs and checks access tokens with it and has no default: ' +
        'set it to at least 32 random characters, e.g. JWT_SECRET="$(openssl rand -hex 32)". ' +
        '(`npm run demo` generates and keeps one for the demo database.)',
    );
  }
  return config.JWT_SECRET;
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
