import { loadAppConfig, redactUrl, signingSecret } from './app-config';
import { exitUnlessServicesReachable, unreachableServices } from './service-reachability';

describe('app config', () => {
  it('applies defaults for a local machine', () => {
    const config = loadAppConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toMatch(/schoolbench_app@/);
    expect(config.IMPORT_IN_BACKGROUND_ABOVE_BYTES).toBe(5 * 1024 * 1024);
  });

  it('lists every bad setting at once', () => {
    expect(() =>
      loadAppConfig({ PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' }),
    ).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*LOG_LEVEL/);
  });

  it('has no default JWT secret in any environment: what signs tokens must be configured', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      const config = loadAppConfig({ NODE_ENV });
      expect(config.JWT_SECRET).toBeUndefined();
      expect(() => signingSecret(config)).toThrow(
        /JWT_SECRET is not set[\s\S]*openssl rand -hex 32[\s\S]*npm run demo/,
      );
    }
    const secret = 'p'.repeat(40);
    expect(signingSecret(loadAppConfig({ NODE_ENV: 'production', JWT_SECRET: secret }))).toBe(
      secret,
    );
  });

  it('refuses secrets published in the repository and short ones', () => {
    for (const published of [
      'schoolbench-dev-secret-change-me-0123456789',
      'change-me-to-at-least-32-random-characters',
    ]) {
      expect(() => loadAppConfig({ JWT_SECRET: published })).toThrow(
        /JWT_SECRET: this value is published in the repository/,
      );
    }
    expect(() => loadAppConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });
});

describe('service reachability', () => {
  it('names the service, the URL tried and how to start it', async () => {
    const problems = await unreachableServices(
      [
        {
          name: 'Redis',
          url: 'redis://:pw@127.0.0.1:1',
          startCommand: 'redis-server --daemonize yes',
        },
      ],
      500,
    );
    expect(problems).toEqual([
      'Redis is not reachable at redis://:***@127.0.0.1:1. Start it with: redis-server --daemonize yes',
    ]);
  });
});

describe('fail-fast start', () => {
  it('exits at once with the service, the URL tried and how to start it when one is down', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await exitUnlessServicesReachable([
        {
          name: 'PostgreSQL',
          url: 'postgres://app@127.0.0.1:1/db',
          startCommand: 'pg_ctlcluster 15 main start',
        },
      ]);
      expect(exit).toHaveBeenCalledWith(1);
      expect(stderr).toHaveBeenCalledWith(
        'PostgreSQL is not reachable at postgres://app@127.0.0.1:1/db. Start it with: pg_ctlcluster 15 main start\n',
      );
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
