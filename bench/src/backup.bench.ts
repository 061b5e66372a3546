import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

import {
  APP_ROLE,
  backupDatabase,
  createDatabase,
  defaultPgTools,
  dropDatabase,
  ensureRoles,
  OWNER_ROLE,
  restoreDatabase,
  runMigrations,
  withDatabase,
} from '@schoolbench/database';

import { seconds, sharedDataFile, type Benchmark } from './benchmark';

/** What `npm run demo` loads: DfE's national files as public data, Hampshire and North Yorkshire. */
const DEMO_DATA = [
  {
    tenant: 'public',
    create: ['--kind', 'public', '--name', 'DfE published data'],
    folder: 'national',
  },
  {
    tenant: '850',
    create: ['--la-code', '850', '--name', 'Hampshire'],
    folder: 'la-850-hampshire',
  },
  {
    tenant: '815',
    create: ['--la-code', '815', '--name', 'North Yorkshire'],
    folder: 'la-815-north-yorkshire',
  },
] as const;

function cliPath(): string {
  // dist/bench/src → dist/apps/cli/src/main.js
  return resolve(__dirname, '../../apps/cli/src/main.js');
}

function runCliChild(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliPath(), ...args], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('close', (code) =>
      code === 0 ? done() : fail(new Error(`cli ${args.join(' ')} exited ${code}`)),
    );
  });
}

function pgTool(tool: string, args: string[]): void {
  const { binDir } = defaultPgTools();
  const result = spawnSync(binDir ? join(binDir, tool) : tool, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * `cli backup` / `cli restore` (snapshot export, manifest of every table's count and checksum,
 * restore with role provisioning and verification) against plain `pg_dump -Fc` / `pg_restore` of
 * the same demo-sized database, in the same run.
 */
export const benchmark: Benchmark = {
  description: 'backup and restore of the demo database, next to plain pg_dump / pg_restore',
  async run() {
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    process.stdout.write(`load average ${load()} on ${cpus().length} CPUs at the start\n`);
    const adminUrl =
      process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `sbbench_${Date.now().toString(36)}`;
    const names = [name, `${name}_restored`, `${name}_plain`];
    const folder = mkdtempSync(join(tmpdir(), 'sbbench-backup-'));
    const cleanUp = async () => {
      for (const n of names) await dropDatabase(adminUrl, n);
      rmSync(folder, { recursive: true, force: true });
    };
    process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
    try {
      await ensureRoles(adminUrl);
      await createDatabase(adminUrl, name);
      await runMigrations(withDatabase(adminUrl, name, OWNER_ROLE));
      const env = {
        ...process.env,
        DATABASE_URL: withDatabase(adminUrl, name, APP_ROLE),
        DATABASE_OWNER_URL: withDatabase(adminUrl, name, OWNER_ROLE),
        DATABASE_ADMIN_URL: adminUrl,
        LOG_LEVEL: 'error',
      };
      process.stdout.write('loading the demo data (untimed): ');
      for (const d of DEMO_DATA) {
        await runCliChild(env, ['tenant:create', ...d.create]);
        await runCliChild(env, [
          'import',
          sharedDataFile('dfe', d.folder),
          '--tenant',
          d.tenant,
          '--no-progress',
        ]);
        process.stdout.write(`${d.folder} `);
      }
      const dbUrl = withDatabase(adminUrl, name);
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      const [{ bytes }] = (
        await admin.query<{ bytes: string }>('select pg_database_size($1) as bytes', [name])
      ).rows;
      await admin.end();
      process.stdout.write(`\ndatabase ${name}: ${mib(Number(bytes))} on disk\n\n`);

      const archive = join(folder, 'schoolbench.dump');
      const backup = await timed(() => backupDatabase({ adminUrl, database: name, out: archive }));
      const rows = Object.values(backup.value.tables).reduce((n, t) => n + t.rows, 0);
      const restore = await timed(() => restoreDatabase({ adminUrl, archive, database: names[1] }));

      const plainArchive = join(folder, 'plain.dump');
      const u = new URL(dbUrl);
      const conn = [
        `--host=${u.hostname}`,
        `--port=${u.port || '5432'}`,
        `--username=${u.username}`,
      ];
      const plainDump = await timed(() =>
        pgTool('pg_dump', [
          ...conn,
          '--format=custom',
          `--file=${plainArchive}`,
          `--dbname=${name}`,
        ]),
      );
      await createDatabase(adminUrl, names[2]);
      const plainRestore = await timed(() =>
        pgTool('pg_restore', [
          ...conn,
          '--exit-on-error',
          '--single-transaction',
          `--dbname=${names[2]}`,
          plainArchive,
        ]),
      );

      const line = (label: string, value: string, peer: string) =>
        `  ${label.padEnd(26)}${value.padStart(22)}${peer.padStart(22)}\n`;
      process.stdout.write(
        `Backup and restore of the demo database (${Object.keys(backup.value.tables).length} tables, ${rows} rows)\n` +
          line('', 'cli backup/restore', 'pg_dump/pg_restore') +
          line('backup', seconds(backup.ms), seconds(plainDump.ms)) +
          line('restore', seconds(restore.ms), seconds(plainRestore.ms)) +
          line('  restore verified', `${restore.value.verifiedTables} tables`, 'not checked') +
          line('archive size', mib(statSync(archive).size), mib(statSync(plainArchive).size)) +
          `load average ${load()} at the end\n`,
      );
    } finally {
      await cleanUp();
    }
  },
};
