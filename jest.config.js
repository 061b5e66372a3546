// One jest run, three tiers. Unit tests touch nothing outside the process; integration and e2e
// tests use the real Postgres and Redis on this machine, each run in its own database.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target.replace(/^\.\//, '')}`,
  ]),
);

const swc = [
  '@swc/jest',
  {
    swcrc: false,
    sourceMaps: 'inline',
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      // Rewrites @schoolbench/* imports at compile time, which also covers globalSetup files
      // (jest's moduleNameMapper does not apply to them).
      baseUrl: __dirname,
      paths: compilerOptions.paths,
    },
    module: { type: 'commonjs' },
  },
];

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  // NestJS 12 and a few of its dependencies ship ESM only: let swc turn them into CommonJS.
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|uint8array-extras|@borewit)/)',
  ],
};

module.exports = {
  // Generous: the machine has two cores, argon2 hashing is deliberately slow and the real DfE files
  // are large. Jest reads this option only at the top level, not per project.
  testTimeout: 60_000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/platform/testing/src/global-teardown.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/platform/testing/src/global-teardown.ts',
    },
    {
      // The web dashboard in Debian's Chromium, driven by Playwright's library API.
      ...base,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/platform/testing/src/global-teardown.ts',
    },
  ],
};
