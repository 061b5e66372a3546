import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './private-redis';

const run = promisify(execFile);
const BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary folder, a free port on
 * 127.0.0.1, its socket in that folder) that the test may stop and start again: the shared
 * server on 5432 is never touched. PostgreSQL refuses to run as root, so under root the cluster
 * belongs to the `postgres` system user. Durability is off (fsync): it holds only test data, and
 * `stop` is a clean fast shutdown.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {}

  /** As the superuser `postgres`, no password (trust on this cluster only). */
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'schoolbench-pg-'));
    const owner = process.getuid?.() === 0 ? await systemUser('postgres') : undefined;
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const cluster = new PrivatePostgres(await freePort(), dir, owner);
    await cluster.bin('initdb', [
      '-D',
      cluster.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await cluster.startAgain();
    return cluster;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** Starts the cluster (after `stop`) on the same port and waits until it accepts connections. */
  async startAgain(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=60',
    ].join(' ');
    await this.bin('pg_ctl', [
      'start',
      '-D',
      this.dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      join(this.dir, 'postgres.log'),
      '-o',
      options,
    ]);
  }

  /**
   * A fast shutdown, as an operator's restart or a failover does: open sessions are ended
   * (57P01), new connections refused, until `startAgain`.
   */
  async stop(): Promise<void> {
    await this.bin('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60']);
  }

  /** Stops it if running and removes its files. */
  async destroy(): Promise<void> {
    await this.bin('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'immediate', '-w']).catch(
      () => undefined,
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async bin(name: string, args: string[]): Promise<void> {
    await run(join(BIN, name), args, { ...this.owner, cwd: this.dir, timeout: 120_000 });
  }
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await run('id', [flag, name])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}
