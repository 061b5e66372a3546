import { randomUUID } from 'node:crypto';
import * as argon2 from 'argon2';

import type { Role } from '@schoolbench/tenancy';

import type { TestDatabase } from './test-database';

export interface SeededUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  schoolUrn: number | null;
}

export interface SeededTenant {
  id: string;
  laCode: string | null;
  name: string;
  schools: { urn: number; name: string }[];
  users: Record<Role, SeededUser | undefined>;
}

let passwordHash: Promise<string> | undefined;
const PASSWORD = 'correct horse battery staple';

/** One argon2 hash for every seeded user: hashing is deliberately slow. */
function hashedPassword(): Promise<string> {
  passwordHash ??= argon2.hash(PASSWORD, { type: argon2.argon2id });
  return passwordHash;
}

/**
 * Inserts a tenant with schools and one user per role directly as the superuser, so tests start
 * from a known state without going through the code under test.
 */
export async function seedTenant(
  db: TestDatabase,
  options: {
    kind?: 'authority' | 'public' | 'platform';
    laCode?: string | null;
    name: string;
    schools?: { urn: number; name: string; phase?: string }[];
    roles?: Role[];
  },
): Promise<SeededTenant> {
  const kind = options.kind ?? 'authority';
  const id = randomUUID();
  const laCode = kind === 'authority' ? (options.laCode ?? null) : null;
  await db.query('insert into tenants (id, kind, la_code, name) values ($1, $2, $3, $4)', [
    id,
    kind,
    laCode,
    options.name,
  ]);
  const schools = options.schools ?? [];
  await insertRows(
    db,
    'schools (tenant_id, urn, name, phase, la_code, laestab)',
    schools.map((s) => [
      id,
      s.urn,
      s.name,
      s.phase ?? 'Primary',
      laCode,
      laCode ? Number(`${laCode}${String(s.urn).slice(-4)}`) : null,
    ]),
  );
  const roles =
    options.roles ??
    (kind === 'platform' ? ['operator'] : ['la_admin', 'analyst', 'headteacher', 'governor']);
  const users = {} as Record<Role, SeededUser | undefined>;
  const slug = (laCode ?? kind).toLowerCase();
  for (const role of roles) {
    const user: SeededUser = {
      id: randomUUID(),
      email: `${role}.${slug}.${id.slice(0, 8)}@example.test`,
      password: PASSWORD,
      role,
      schoolUrn: role === 'headteacher' || role === 'governor' ? (schools[0]?.urn ?? null) : null,
    };
    users[role] = user;
  }
  const seeded = Object.values(users).filter((u): u is SeededUser => u !== undefined);
  const hash = seeded.length ? await hashedPassword() : null;
  await insertRows(
    db,
    'users (tenant_id, id, email, role, school_urn, password_hash)',
    seeded.map((u) => [id, u.id, u.email, u.role, u.schoolUrn, hash]),
  );
  await insertRows(
    db,
    'login_directory (email, tenant_id, user_id)',
    seeded.map((u) => [u.email, id, u.id]),
  );
  return { id, laCode, name: options.name, schools, users };
}

/**
 * Rows inserted in one statement: each `db.query` is a connection of its own, which on Citus also
 * opens the workers' (a tenant's fixtures then took seconds there).
 */
async function insertRows(db: TestDatabase, into: string, rows: unknown[][]): Promise<void> {
  if (!rows.length) return;
  const values = rows.map(
    (row, r) => `(${row.map((_, c) => `$${r * row.length + c + 1}`).join(', ')})`,
  );
  await db.query(`insert into ${into} values ${values.join(', ')}`, rows.flat());
}

/**
 * A fingerprint of every row of every table (row count and a hash of the rows in a stable order),
 * for "the database is unchanged" assertions that stay fast on tables of many thousand rows.
 */
export async function snapshotDatabase(
  db: TestDatabase,
  tables?: string[],
): Promise<Record<string, { rows: number; hash: string }>> {
  const names =
    tables ??
    (
      await db.query<{ tablename: string }>(
        "select tablename from pg_tables where schemaname = 'public' and tablename <> 'schema_migrations' order by 1",
      )
    ).map((t) => t.tablename);
  const snapshot: Record<string, { rows: number; hash: string }> = {};
  for (const table of names) {
    const [row] = await db.query<{ rows: number; hash: string | null }>(
      `select count(*)::int as rows, md5(string_agg(t::text, '|' order by t::text)) as hash from ${table} t`,
    );
    snapshot[table] = { rows: row.rows, hash: row.hash ?? '' };
  }
  return snapshot;
}

export interface SeededDataset {
  id: string;
  fileName: string;
  profileId: string;
  profileName: string;
}

/**
 * A published dataset with one observation per school and measure, and a mapping profile, written
 * directly as the superuser (for isolation and query tests that need data without an import).
 */
export async function seedDataset(
  db: TestDatabase,
  tenant: SeededTenant,
  options: { fileName: string; measures: { code: string; values: number[] }[]; period?: number },
): Promise<SeededDataset> {
  const id = randomUUID();
  const period = options.period ?? 201819;
  await db.query(
    `insert into datasets (tenant_id, id, series, version, file_name, content_hash, format, status, is_current, published_at, periods)
     values ($1, $2, $3, 1, $4, $5, 'fixture', 'published', true, now(), $6)`,
    [
      tenant.id,
      id,
      `fixture:${options.fileName}`,
      options.fileName,
      randomUUID().replace(/-/g, '').padEnd(64, '0'),
      [String(period)],
    ],
  );
  await insertRows(
    db,
    'observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value)',
    options.measures.flatMap((measure) =>
      tenant.schools.map((school, i) => [
        tenant.id,
        id,
        school.urn,
        measure.code,
        period,
        'Academic year',
        'all',
        measure.values[i % measure.values.length],
      ]),
    ),
  );
  const profileId = randomUUID();
  const profileName = `${options.fileName} profile`;
  await db.query(
    `insert into mapping_profiles (tenant_id, id, name, definition) values ($1, $2, $3, '{"fixture": true}')`,
    [tenant.id, profileId, profileName],
  );
  return { id, fileName: options.fileName, profileId, profileName };
}

/**
 * A named protocol owned by `owner` between `parties`, proposed and signed by `signers` through
 * `protocol_sign` as each one's LA admin (active once every party has signed). Valid from yesterday
 * for a year, sharing `measures` for 2018/19.
 */
export async function seedProtocol(
  db: TestDatabase,
  owner: SeededTenant,
  parties: SeededTenant[],
  signers: SeededTenant[],
  options: { measures?: string[]; title?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const ids = parties.map((p) => p.id);
  const asAdmin = (t: SeededTenant, sql: string, params: unknown[]) =>
    db.asTenant(t.id, sql, params, t.users.la_admin!.id);
  await asAdmin(
    owner,
    `insert into protocols (tenant_id, id, status, parties) values ($1, $2, 'proposed', $3)`,
    [owner.id, id, ids],
  );
  await asAdmin(
    owner,
    `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
       period_from, period_to, disclosure, valid_from, valid_to)
     values ($1, $2, 1, $3, 'Fixture', $4, $5, 201819, 201819, 'named', current_date - 1, current_date + 365)`,
    [
      owner.id,
      id,
      options.title ?? 'Fixture protocol',
      ids,
      options.measures ?? ['ks2_rwm_expected_pct'],
    ],
  );
  for (const signer of signers) {
    await asAdmin(signer, 'select protocol_sign($1, $2, 1)', [owner.id, id]);
  }
  return id;
}
