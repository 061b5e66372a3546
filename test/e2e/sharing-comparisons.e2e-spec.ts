import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { graphql, signIn } from '@schoolbench/testing';

// The worker as deployed, beside the API under test.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { comparisonObservations, insertDataset } from '../integration/support/comparison-fixtures';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const OWN_PRIMARY = [116001, 116002, 116010, 116011, 116012, 116013];
const PARTNER_PRIMARY = [121901, 121910, 121911, 121912, 121913, 121914, 121915];

/**
 * The sharing part of journey 3: a headteacher's similar schools come from every authority that
 * shares with theirs, under the grants of an active protocol, and the partner's access log says
 * the comparison read its data. When the protocol is revoked, the run is stale and not served.
 */
describe('comparisons across authorities under a protocol (journey 3, sharing part)', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext;
  const tokens: Record<string, string> = {};
  let protocolId: string;

  const gql = (who: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql(api.app, query, variables, { token: tokens[who] });

  async function untilFinished(id: string): Promise<string> {
    const until = Date.now() + 30_000;
    for (;;) {
      const res = await gql(
        'a.headteacher',
        `query($id: ID!) { comparisonRun(id: $id) { status error } }`,
        {
          id,
        },
      );
      const run = res.data!.comparisonRun;
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.status)) return run.status;
      if (Date.now() > until) throw new Error(`run ${id} still ${run.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    api = await startApiUnderTest({ LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    const { db, a, b } = api;
    for (const urn of OWN_PRIMARY.slice(2)) {
      await db.query(
        `insert into schools (tenant_id, urn, name, phase, la_code) values ($1, $2, $3, 'Primary', '850')`,
        [a.id, urn, `Hampshire Primary ${urn}`],
      );
    }
    for (const urn of PARTNER_PRIMARY.slice(1)) {
      await db.query(
        `insert into schools (tenant_id, urn, name, phase, la_code) values ($1, $2, $3, 'Primary', '815')`,
        [b.id, urn, `North Yorkshire Primary ${urn}`],
      );
    }
    await db.query(`update datasets set is_current = false where id = any($1)`, [
      [api.aData.id, api.bData.id],
    ]);
    const own = comparisonObservations(OWN_PRIMARY);
    const partner = comparisonObservations(PARTNER_PRIMARY, { variant: 'north' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, b.id, 'census', partner.context);
    await insertDataset(db, b.id, 'ks2', partner.outcomes);

    for (const [name, tenant] of [
      ['a', a],
      ['b', b],
    ] as const) {
      for (const role of ['la_admin', 'headteacher'] as const) {
        const user = tenant.users[role]!;
        tokens[`${name}.${role}`] = await signIn(api.app, user.email, user.password);
      }
    }
    const created = await gql(
      'a.la_admin',
      `mutation($input: ProtocolTermsInput!) { createProtocol(input: $input) { id } }`,
      {
        input: {
          title: 'Primary benchmarking 2016–2019',
          purpose: 'Similar-school groups across Hampshire and North Yorkshire',
          partyLaCodes: ['815'],
          categories: ['attainment', 'progress', 'context'],
          periodFrom: '2016/17',
          periodTo: '2018/19',
          phases: ['primary'],
          disclosure: 'NAMED',
          validFrom: new Date().toISOString().slice(0, 10),
          validTo: '2099-12-31',
        },
      },
    );
    protocolId = created.data!.createProtocol.id;
    await gql('a.la_admin', `mutation($id: ID!) { proposeProtocol(id: $id) { id } }`, {
      id: protocolId,
    });
    for (const who of ['a.la_admin', 'b.la_admin']) {
      const signed = await gql(who, `mutation($id: ID!) { signProtocol(id: $id) { status } }`, {
        id: protocolId,
      });
      expect(signed.errors).toBeUndefined();
    }

    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('groups a school with the partner’s schools, logs the read, and stops serving the run once revoked', async () => {
    const requested = await gql(
      'a.headteacher',
      `mutation($input: ComparisonRequestInput!) { requestComparison(input: $input) { id } }`,
      {
        input: {
          target: { urn: 116001 },
          phase: 'primary',
          period: '201819',
          k: 10,
          outcomeMeasures: ['ks2_rwm_expected_pct'],
        },
      },
    );
    expect(requested.errors).toBeUndefined();
    const runId = requested.data!.requestComparison.id as string;
    expect(await untilFinished(runId)).toBe('COMPLETED');

    const school = await gql(
      'a.headteacher',
      `query($id: ID) { school(urn: 116001) { similarSchools(runId: $id) { urn source name } } }`,
      { id: runId },
    );
    expect(school.errors).toBeUndefined();
    const similar = school.data!.school.similarSchools as { urn: number; source: string }[];
    expect(similar).toHaveLength(10);
    const partners = similar.filter((s) => PARTNER_PRIMARY.includes(s.urn));
    expect(partners.length).toBeGreaterThan(0);
    expect(partners.every((s) => s.source === 'PARTNERS')).toBe(true);
    // Own schools fill the rest: nothing from anywhere else.
    expect(similar.every((s) => [...OWN_PRIMARY, ...PARTNER_PRIMARY].includes(s.urn))).toBe(true);

    const log = await gql(
      'b.la_admin',
      '{ accessLog(first: 100) { nodes { operation readerLaCode measures } } }',
    );
    const operations = (log.data!.accessLog.nodes as { operation: string; readerLaCode: string }[])
      .filter((e) => e.readerLaCode === '850')
      .map((e) => e.operation);
    expect(operations).toContain('comparison.run');
    expect(operations).toContain('School.similarSchools');

    await gql('a.la_admin', `mutation($id: ID!) { revokeProtocol(id: $id) { status } }`, {
      id: protocolId,
    });
    const after = await gql(
      'a.headteacher',
      `query($id: ID!) { comparisonRun(id: $id) { status groups { urn members { urn } } } }`,
      { id: runId },
    );
    expect(after.errors?.[0]?.message).toMatch(/stale/);
    const latest = await gql('a.headteacher', '{ school(urn: 116001) { similarSchools { urn } } }');
    expect(JSON.stringify(latest.data)).not.toMatch(new RegExp(PARTNER_PRIMARY.join('|')));
  });
});
