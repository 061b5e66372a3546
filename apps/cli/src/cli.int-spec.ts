import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { createTestDatabase, snapshotDatabase, type TestDatabase } from '@schoolbench/testing';

import { runCli } from './main';

/** The operator CLI against a real database: what it prints, its exit code, what it writes. */
describe('operator CLI', () => {
  let db: TestDatabase;
  let out: string;
  let err: string;

  async function cli(...args: string[]): Promise<number> {
    out = '';
    err = '';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += chunk.toString();
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += chunk.toString();
      return true;
    });
    const table = jest.spyOn(console, 'table').mockImplementation((rows: unknown) => {
      out += JSON.stringify(rows);
    });
    try {
      return await runCli(args);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      table.mockRestore();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
  });
  afterAll(() => db.drop());

  it('creates tenants, users, schools and API keys', async () => {
    expect(await cli('migrate')).toBe(0);
    expect(out).toMatch(/No pending migrations/);
    expect(await cli('tenant:create', '--la-code', '936', '--name', 'Surrey')).toBe(0);
    expect(out).toMatch(/Tenant Surrey \(936\)/);
    expect(
      await cli('school:create', '--tenant', '936', '--urn', '125000', '--name', 'Surrey Primary'),
    ).toBe(0);
    expect(out).toMatch(/School 125000 Surrey Primary \(LA 936\)/);
    expect(
      await cli(
        'user:create',
        '--tenant',
        '936',
        '--email',
        'Admin@Surrey.test',
        '--role',
        'la_admin',
        '--password',
        'surrey admin password',
      ),
    ).toBe(0);
    expect({
      code: await cli(
        'api-key:create',
        '--tenant',
        '936',
        '--email',
        'admin@surrey.test',
        '--name',
        'etl',
      ),
      err,
    }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(
      /^API key sbk_[0-9a-f]{12} \(la_admin\)\. Shown once:\nsbk_[0-9a-f]{12}_[\w-]{43}\n$/,
    );
    const rows = await db.query<{ email: string }>(
      "select email from users where email = 'admin@surrey.test'",
    );
    expect(rows).toHaveLength(1);
  });

  it.each([
    [['tenant:create', '--la-code', '93', '--name', 'X'], /three digits \(got "93"\)/],
    [['tenant:create', '--kind', 'county', '--name', 'X'], /--kind "county" is not one of/],
    [
      [
        'user:create',
        '--tenant',
        '999',
        '--email',
        'a@b.test',
        '--role',
        'analyst',
        '--password',
        'long enough pass',
      ],
      /No tenant "999". Known: 936/,
    ],
    [
      [
        'user:create',
        '--tenant',
        '936',
        '--email',
        'a@b.test',
        '--role',
        'boss',
        '--password',
        'long enough pass',
      ],
      /--role "boss" is not one of/,
    ],
    [
      [
        'user:create',
        '--tenant',
        '936',
        '--email',
        'a@b.test',
        '--role',
        'analyst',
        '--password',
        'short',
      ],
      /at least 12 characters/,
    ],
    [
      [
        'user:create',
        '--tenant',
        '936',
        '--email',
        'h@b.test',
        '--role',
        'headteacher',
        '--password',
        'long enough pass',
        '--school-urn',
        '999999',
      ],
      /School 999999 is not in your authority's register/,
    ],
    [
      ['school:create', '--tenant', '936', '--urn', '12345', '--name', 'X'],
      /"12345" is not a six-digit URN/,
    ],
    [
      ['api-key:create', '--tenant', '936', '--email', 'nobody@surrey.test', '--name', 'x'],
      /No user nobody@surrey.test in tenant 936/,
    ],
  ])('refuses %j with a clear message, exit code 2, and writes nothing', async (args, message) => {
    const before = await snapshotDatabase(db);
    expect(await cli(...args)).toBe(2);
    expect(err).toMatch(message);
    expect(await snapshotDatabase(db)).toEqual(before);
  });

  it('imports a DfE file, and refuses a bad file or path with a clear message, writing nothing', async () => {
    const data = join(__dirname, '../../../../shared/data/dfe/la-815-north-yorkshire');
    expect(await cli('tenant:create', '--la-code', '815', '--name', 'North Yorkshire')).toBe(0);
    expect(
      await cli('import', join(data, '815_2019_census.csv'), '--tenant', '815', '--no-progress'),
    ).toBe(0);
    expect(out).toMatch(/815_2019_census\.csv.*published/);

    const bad = join(tmpdir(), `sb-bad-${process.pid}.csv`);
    writeFileSync(bad, 'URN,LA,ESTAB,NOR\r\n121000,815,2000,"12\r\n');
    const before = await snapshotDatabase(db, ['observations', 'schools']);
    expect(await cli('import', bad, '--tenant', '815', '--no-progress')).toBe(2);
    expect(err).toMatch(/failed validation; nothing of them was imported/);
    expect(err).toMatch(new RegExp(`${basename(bad)}`));
    expect(await cli('import', '/no/such/folder', '--tenant', '815')).toBe(2);
    expect(err).toMatch(/No such file or folder: \/no\/such\/folder/);
    expect(await cli('import', tmpdir(), '--tenant', '999')).toBe(2);
    expect(await snapshotDatabase(db, ['observations', 'schools'])).toEqual(before);
    rmSync(bad);
  });

  it('reports a missing required option through commander', async () => {
    expect(await cli('tenant:create')).not.toBe(0);
    expect(err).toMatch(/required option '--name <name>' not specified/);
  });

  it('refuses db:rebalance on a single-node database, changing nothing', async () => {
    const before = await snapshotDatabase(db);
    expect(await cli('db:rebalance')).toBe(2);
    expect(err).toMatch(/db:rebalance moves Citus shards: set DATABASE_DISTRIBUTION=citus/);
    expect(await snapshotDatabase(db)).toEqual(before);
  });

  it('seeds the demo from the DfE files, and a second run changes nothing', async () => {
    expect(await cli('demo', '--no-start', '--no-reference')).toBe(0);
    expect(out).toMatch(/analyst@hampshire.demo/);
    const counts = await db.query<{ la_code: string; n: string }>(
      'select t.la_code, count(*) as n from schools s join tenants t on t.id = s.tenant_id group by 1 order by 1',
    );
    expect(counts.map((c) => c.la_code)).toEqual(['815', '850', '936']);
    expect(Number(counts.find((c) => c.la_code === '850')!.n)).toBeGreaterThan(300);
    // Journey 2 as demo data: an active protocol, with North Yorkshire's secondaries in reach.
    expect(out).toMatch(/Protocol "Secondary benchmarking 2016–2019" .* is active/);
    const [reach] = await db.query<{ n: string }>(
      `select count(distinct urn) as n from sharing_reach r join tenants t on t.id = r.tenant_id
       where t.la_code = '815'`,
    );
    expect(Number(reach.n)).toBeGreaterThan(10);
    // The planner's statistics are fresh: the first requests are not planned for empty tables.
    const unanalysed = await db.query<{ relname: string }>(
      `select relname from pg_stat_user_tables
       where relname in ('schools', 'observations') and last_analyze is null`,
    );
    expect(unanalysed).toEqual([]);
    const tables = ['tenants', 'users', 'login_directory', 'protocols', 'sharing_grants'];
    const before = await snapshotDatabase(db, tables);
    expect(await cli('demo', '--no-start', '--no-reference')).toBe(0);
    expect(await snapshotDatabase(db, tables)).toEqual(before);
  }, 300_000);
});
