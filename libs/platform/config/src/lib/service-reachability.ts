import { Socket } from 'node:net';

import { redactUrl } from './app-config';

export interface ServiceProbe {
  name: 'PostgreSQL' | 'Redis';
  url: string;
  startCommand: string;
}

const START_COMMANDS = {
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  Redis: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
} as const;

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

export function probesFor(config: { DATABASE_URL: string; REDIS_URL: string }): ServiceProbe[] {
  return [
    { name: 'PostgreSQL', url: config.DATABASE_URL, startCommand: START_COMMANDS.PostgreSQL },
    { name: 'Redis', url: config.REDIS_URL, startCommand: START_COMMANDS.Redis },
  ];
}

/**
 * Checks that each backing service accepts TCP connections. Returns one plain-English message per
 * unreachable service, naming it, the URL tried and how to start it; empty when all are up.
 */
export async function unreachableServices(
  probes: ServiceProbe[],
  timeoutMs = 2000,
): Promise<string[]> {
  const results = await Promise.all(
    probes.map(async (probe) => {
      const u = new URL(probe.url);
      const port = Number(u.port || (probe.name === 'Redis' ? 6379 : 5432));
      const ok = await tcpReachable(u.hostname.replace(/^\[|\]$/g, ''), port, timeoutMs);
      return ok
        ? null
        : `${probe.name} is not reachable at ${redactUrl(probe.url)}. Start it with: ${probe.startCommand}`;
    }),
  );
  return results.filter((m): m is string => m !== null);
}

/** Exits the process at once when a backing service is down, before Nest starts retrying. */
export async function exitUnlessServicesReachable(probes: ServiceProbe[]): Promise<void> {
  const problems = await unreachableServices(probes);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${p}\n`);
    process.exit(1);
  }
}
