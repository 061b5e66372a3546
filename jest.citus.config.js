// `npm run test:citus`: the suites that prove tenant isolation, sharing, imports and comparisons,
// run against the local Citus cluster (../shared/citus/cluster.sh start; coordinator 9700).
// The test databases are made on every node and the template is distributed after migrating
// (libs/platform/testing, DATABASE_DISTRIBUTION=citus). docs/scaling.md §9 lists what is run
// and what is not, with the reasons.
const root = require('./jest.config.js');

const [, integration, e2e] = root.projects;

module.exports = {
  // The grant policies evaluate a PL/pgSQL function per partner row on every shard (§9.4): the
  // sharing-grants property test takes minutes on the cluster where it takes seconds on one node.
  testTimeout: 600_000,
  projects: [
    {
      ...integration,
      displayName: 'citus-integration',
      // What passes on Citus (docs/scaling.md §9.3). Run one with
      // `npm run test:citus -- --selectProjects citus-e2e --testMatch '**/<file>'`.
      testMatch: [
        '<rootDir>/test/citus/*.citus-spec.ts',
        '<rootDir>/test/integration/row-level-security.int-spec.ts',
        '<rootDir>/test/integration/sharing-grants.int-spec.ts',
        '<rootDir>/libs/datasets/src/lib/dataset-imports.int-spec.ts',
        '<rootDir>/test/integration/comparison-jobs.int-spec.ts',
        '<rootDir>/test/integration/comparison-recompute.int-spec.ts',
        '<rootDir>/test/integration/stale-runs.int-spec.ts',
        '<rootDir>/apps/worker/src/retention.int-spec.ts',
      ],
    },
    {
      ...e2e,
      displayName: 'citus-e2e',
      testMatch: [
        '<rootDir>/test/e2e/isolation.e2e-spec.ts',
        '<rootDir>/test/e2e/datasets.e2e-spec.ts',
        '<rootDir>/test/e2e/mapping-profiles.e2e-spec.ts',
        '<rootDir>/test/e2e/dataset-concurrency.e2e-spec.ts',
        '<rootDir>/test/e2e/comparisons.e2e-spec.ts',
        '<rootDir>/test/e2e/sharing.e2e-spec.ts',
        '<rootDir>/test/e2e/dataset-import-jobs.e2e-spec.ts',
        '<rootDir>/test/e2e/user-roles.e2e-spec.ts',
      ],
    },
  ],
};
