import type { Benchmark } from './benchmark';

/**
 * Every benchmark by name; adding one is one line. Loaded lazily so each runs alone (the `.js`
 * suffix is what both tsc's resolution of `import()` and the compiled output need).
 */
const BENCHMARKS: Readonly<Record<string, () => Promise<{ benchmark: Benchmark }>>> = {
  import: () => import('./import.bench.js'),
  knn: () => import('./knn.bench.js'),
  comparison: () => import('./comparison.bench.js'),
  'access-log': () => import('./access-log.bench.js'),
  soak: () => import('./soak.bench.js'),
  graphql: () => import('./graphql.bench.js'),
  backup: () => import('./backup.bench.js'),
  web: () => import('./web.bench.js'),
  citus: () => import('./citus.bench.js'),
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  const load = name === undefined ? undefined : BENCHMARKS[name];
  if (!load) {
    const names = Object.keys(BENCHMARKS).join(', ');
    process.stderr.write(
      `${name === undefined ? 'Name a benchmark' : `Unknown benchmark "${name}"`}: ${names}\n` +
        'Usage: npm run bench -- <name>   (or: node dist/bench/src/main.js <name>)\n',
    );
    return 2;
  }
  const { benchmark } = await load();
  await benchmark.run(args);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
