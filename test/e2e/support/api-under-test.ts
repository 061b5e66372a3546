import type { INestApplication } from '@nestjs/common';

import {
  createTestDatabase,
  seedDataset,
  seedTenant,
  type SeededDataset,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The app under test is the API itself; e2e tests are the one place that imports an app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../../apps/api/src/api-app';

export interface ApiUnderTest {
  app: INestApplication;
  db: TestDatabase;
  platform: SeededTenant;
  publicData: SeededTenant;
  /** Hampshire-like tenant A and North Yorkshire-like tenant B, each with a user per role. */
  a: SeededTenant;
  b: SeededTenant;
  /** A published dataset of each authority (KS2 RWM % for every school). */
  aData: SeededDataset;
  bData: SeededDataset;
  close(): Promise<void>;
}

/** A fresh database with two authorities, the public reference tenant and an operator; the API on it. */
export async function startApiUnderTest(env: Record<string, string> = {}): Promise<ApiUnderTest> {
  const db = await createTestDatabase();
  db.useForServices();
  Object.assign(process.env, env);
  // The tenants at once, then their datasets: every fixture statement opens a connection (on
  // Citus also the workers'), so they mostly wait.
  const [platform, publicData, a, b] = await Promise.all([
    seedTenant(db, { kind: 'platform', name: 'SchoolBench platform' }),
    seedTenant(db, {
      kind: 'public',
      name: 'DfE published data',
      roles: [],
      schools: [{ urn: 100000, name: 'Sir John Cass Red Coat (public reference)' }],
    }),
    seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [
        { urn: 116001, name: 'Alderwood Primary A' },
        { urn: 116002, name: 'Beechwood Infant A', phase: 'Primary' },
        { urn: 116003, name: 'Cedar Secondary A', phase: 'Secondary' },
      ],
    }),
    seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [
        { urn: 121901, name: 'Zetland Secret School B' },
        { urn: 121902, name: 'Yarm Hidden Academy B', phase: 'Secondary' },
      ],
    }),
  ]);
  const [aData, bData] = await Promise.all([
    seedDataset(db, a, {
      fileName: 'hampshire-fixture.csv',
      measures: [{ code: 'ks2_rwm_expected_pct', values: [61, 72, 55] }],
    }),
    seedDataset(db, b, {
      fileName: 'north-yorkshire-secret.csv',
      measures: [{ code: 'ks2_rwm_expected_pct', values: [80, 45] }],
    }),
  ]);
  const app = await createApiApp();
  await app.init();
  return {
    app,
    db,
    platform,
    publicData,
    a,
    b,
    aData,
    bData,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
