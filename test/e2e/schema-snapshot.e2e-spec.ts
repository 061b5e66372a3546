import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const SNAPSHOT = join(__dirname, '../../apps/api/schema.gql');

/** The committed schema is the API's contract: a change to it must be deliberate and reviewed. */
describe('GraphQL schema snapshot', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApiUnderTest();
  });
  afterAll(() => api.close());

  it('matches apps/api/schema.gql (run `npm run schema:update` after an intended change)', () => {
    const printed = `${printSchema(api.app.get(GraphQLSchemaHost).schema)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SNAPSHOT, printed);
    expect(printed).toBe(readFileSync(SNAPSHOT, 'utf8'));
  });
});
