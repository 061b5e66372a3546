import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

import { createDatabase, dropDatabase, ensureRoles, withDatabase } from './database-provisioning';
import { APP_ROLE, OWNER_ROLE, RETENTION_ROLE, SHARING_ROLE } from './database-roles';
import {
  tableFingerprints,
  useCanonicalRowText,
  type TableFingerprint,
} from './table-fingerprints';

export const BACKUP_FORMAT = 'schoolbench-backup/1';

/**
 * What `backup` writes beside the archive (`<archive>.manifest.json`): the row count and checksum
 * of every table taken in the very snapshot pg_dump dumped, so a restore proves it got everything.
 */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  database: string;
  serverVersion: string;
  /** Roles are cluster-wide and not in a database dump: restore provisions them first. */
  roles: string[];
  migrations: string[];
  archive: { file: string; bytes: number; sha256: string };
  tables: Record<string, TableFingerprint>;
}

export interface PgTools {
  /** Folder holding pg_dump and pg_restore; empty means "on PATH". */
  binDir: string;
}

/** PostgreSQL 15 client tools as Debian installs them, else whatever is on PATH. */
export function defaultPgTools(env: NodeJS.ProcessEnv = process.env): PgTools {
  if (env.PG_BIN_DIR) return { binDir: env.PG_BIN_DIR };
  const debian = '/usr/lib/postgresql/15/bin';
  return { binDir: existsSync(join(debian, 'pg_dump')) ? debian : '' };
}

export function manifestPathOf(archive: string): string {
  return `${archive}.manifest.json`;
}

/**
 * A consistent custom-format archive of `database` while it is in use: one REPEATABLE READ
 * transaction exports its snapshot, pg_dump dumps exactly that snapshot (`--snapshot`) and the
 * same transaction fingerprints every table. Runs as the superuser of `adminUrl` (row-level
 * security is forced even for the owner, so only a superuser's dump sees every row).
 */
export async function backupDatabase(options: {
  adminUrl: string;
  database: string;
  out: string;
  tools?: PgTools;
}): Promise<BackupManifest> {
  const tools = options.tools ?? defaultPgTools();
  const url = withDatabase(options.adminUrl, options.database);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await useCanonicalRowText(client);
    const [{ snapshot, server_version }] = (
      await client.query<{ snapshot: string; server_version: string }>(
        "select pg_export_snapshot() as snapshot, current_setting('server_version') as server_version",
      )
    ).rows;
    const dump = runPgTool(tools, 'pg_dump', connectionOf(url), [
      '--format=custom',
      `--snapshot=${snapshot}`,
      `--file=${options.out}`,
    ]);
    // Fingerprinting and dumping read the same snapshot side by side.
    const [tables] = await Promise.all([tableFingerprints(client), dump]);
    const migrations = (
      await client.query<{ name: string }>('select name from schema_migrations order by id')
    ).rows.map((r) => r.name);
    await client.query('COMMIT');
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      database: options.database,
      serverVersion: server_version,
      roles: [OWNER_ROLE, APP_ROLE, SHARING_ROLE, RETENTION_ROLE],
      migrations,
      archive: {
        file: options.out.split('/').pop()!,
        bytes: statSync(options.out).size,
        sha256: await sha256Of(options.out),
      },
      tables,
    };
    writeFileSync(manifestPathOf(options.out), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await client.end();
  }
}

export interface RestoreResult {
  database: string;
  /** Null when the archive had no manifest to check against. */
  verifiedTables: number | null;
}

/**
 * Restores an archive into a NEW database: provisions the cluster-wide roles (their grants are in
 * the archive, the roles are not), creates the database owned by the owner role, runs pg_restore
 * in one transaction, then checks every table against the manifest. On any failure the new
 * database is dropped, so a failed restore leaves nothing behind.
 */
export async function restoreDatabase(options: {
  adminUrl: string;
  archive: string;
  database: string;
  tools?: PgTools;
}): Promise<RestoreResult> {
  const tools = options.tools ?? defaultPgTools();
  if (!existsSync(options.archive)) throw new BackupError(`No archive at ${options.archive}`);
  const manifest = readManifest(options.archive);
  if (manifest) {
    const sha256 = await sha256Of(options.archive);
    if (sha256 !== manifest.archive.sha256) {
      throw new BackupError(
        `${options.archive} does not match its manifest (sha256 ${sha256}, manifest says ${manifest.archive.sha256}): the archive is damaged or not the one backed up`,
      );
    }
  }
  const admin = new Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [
      options.database,
    ]);
    if (exists.rowCount) {
      throw new BackupError(
        `Database ${options.database} already exists: restore only into a new database`,
      );
    }
  } finally {
    await admin.end();
  }

  await ensureRoles(options.adminUrl);
  await createDatabase(options.adminUrl, options.database);
  const url = withDatabase(options.adminUrl, options.database);
  try {
    await runPgTool(tools, 'pg_restore', connectionOf(url), [
      '--exit-on-error',
      '--single-transaction',
      options.archive,
    ]);
    if (!manifest) return { database: options.database, verifiedTables: null };
    const restored = await fingerprintsOf(url);
    const differences = compareFingerprints(manifest.tables, restored);
    if (differences.length) {
      throw new BackupError(
        `The restored database differs from the backup's snapshot:\n  ${differences.join('\n  ')}`,
      );
    }
    return { database: options.database, verifiedTables: Object.keys(restored).length };
  } catch (error) {
    await dropDatabase(options.adminUrl, options.database);
    throw error;
  }
}

/** Fingerprints of every table of a database, in one snapshot, as its superuser sees them. */
export async function fingerprintsOf(url: string): Promise<Record<string, TableFingerprint>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await useCanonicalRowText(client);
    const tables = await tableFingerprints(client);
    await client.query('COMMIT');
    return tables;
  } finally {
    await client.end();
  }
}

/** One line per table whose count or checksum differs, or that is missing on either side. */
export function compareFingerprints(
  expected: Record<string, TableFingerprint>,
  actual: Record<string, TableFingerprint>,
): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  const differences: string[] = [];
  for (const name of names) {
    const e = expected[name];
    const a = actual[name];
    if (!e) differences.push(`${name}: not in the backup`);
    else if (!a) differences.push(`${name}: missing after restore`);
    else if (e.rows !== a.rows || e.checksum !== a.checksum) {
      differences.push(
        `${name}: ${a.rows} rows (checksum ${a.checksum}), backup had ${e.rows} (checksum ${e.checksum})`,
      );
    }
  }
  return differences;
}

export function readManifest(archive: string): BackupManifest | null {
  const path = manifestPathOf(archive);
  if (!existsSync(path)) return null;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown };
  if (manifest.format !== BACKUP_FORMAT) {
    throw new BackupError(`${path} is not a ${BACKUP_FORMAT} manifest`);
  }
  return manifest as BackupManifest;
}

/** A failure the operator can act on (bad path, existing database, damaged archive). */
export class BackupError extends Error {}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Host, port, user and database as arguments; the password (if any) goes in the environment. */
interface PgConnection {
  args: string[];
  password: string;
}

function connectionOf(url: string): PgConnection {
  const u = new URL(url);
  return {
    args: [
      `--host=${decodeURIComponent(u.hostname)}`,
      `--port=${u.port || '5432'}`,
      `--username=${decodeURIComponent(u.username)}`,
      `--dbname=${decodeURIComponent(u.pathname.slice(1))}`,
    ],
    password: decodeURIComponent(u.password),
  };
}

// The password travels in PGPASSWORD, never on the command line (anyone can read that in `ps`).
function runPgTool(
  tools: PgTools,
  tool: 'pg_dump' | 'pg_restore',
  connection: PgConnection,
  args: string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      tools.binDir ? join(tools.binDir, tool) : tool,
      ['--no-password', ...connection.args, ...args],
      {
        env: {
          ...process.env,
          ...(connection.password ? { PGPASSWORD: connection.password } : {}),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) =>
      reject(new BackupError(`Cannot run ${tool} (set PG_BIN_DIR?): ${error.message}`)),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new BackupError(`${tool} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}
