import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

import { rowLevelSecurityChecks } from './support/row-level-security-checks';

/** Row-level security on a fresh database (the checks also run on a restored backup). */
describe('row-level security', () => {
  let db: TestDatabase;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [{ urn: 116001, name: 'A Primary' }],
    });
    b = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [{ urn: 121001, name: 'B Primary' }],
    });
  });

  // Before the drop below: jest runs a describe's afterAll hooks in the order they are declared.
  rowLevelSecurityChecks(() => ({ db, a, b }));

  afterAll(async () => {
    await db.drop();
  });
});
