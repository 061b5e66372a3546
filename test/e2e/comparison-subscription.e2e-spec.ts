import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

import {
  ComparisonRunner,
  ComparisonRunProcessor,
  ComparisonRunUpdates,
} from '@schoolbench/comparisons';
import { graphql, signIn } from '@schoolbench/testing';

// The worker as deployed, beside the API under test.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { comparisonObservations, insertDataset } from '../integration/support/comparison-fixtures';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const OWN_PRIMARY = [116001, 116002, 116010, 116011, 116012, 116013];
const REFERENCE = Array.from({ length: 12 }, (_, i) => 200001 + i);
const RWM = 'ks2_rwm_expected_pct';
const UPDATED = `subscription($id: ID!) { comparisonRunUpdated(id: $id) { id status progress message } }`;

interface RunUpdate {
  id: string;
  status: string;
  progress: number;
  message: string | null;
}
type Update = FormattedExecutionResult<{ comparisonRunUpdated: RunUpdate | null }, unknown>;

/**
 * `comparisonRunUpdated` over a real WebSocket with a real graphql-ws client: the API and a worker
 * on the real queue, progress carried from the worker through Redis; credentials from the
 * connection params; another tenant's run id gives an error and nothing of the run.
 */
describe('comparisonRunUpdated subscription (graphql-ws)', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext;
  let url: string;
  const clients: Client[] = [];
  let analystA: string;
  let analystB: string;

  /** A graphql-ws client over a real WebSocket, authenticating with these connection params. */
  function connect(connectionParams: Record<string, string> = {}): Client {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    return client;
  }

  /** Every message of one subscription until the server completes it (or the test gives up). */
  function follow(
    client: Client,
    id: string,
    onUpdate: (update: Update) => void = () => undefined,
    query = UPDATED,
  ): Promise<Update[]> {
    const updates: Update[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`subscription still open; got ${JSON.stringify(updates)}`));
      }, 45_000);
      const stop = client.subscribe<{ comparisonRunUpdated: RunUpdate | null }>(
        { query, variables: { id } },
        {
          next: (update) => {
            updates.push(update);
            onUpdate(update);
          },
          error: (error) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
          complete: () => {
            clearTimeout(timer);
            resolve(updates);
          },
        },
      );
    });
  }

  async function requestRun(k: number): Promise<string> {
    const res = await graphql(
      api.app,
      `mutation($k: Int) { requestComparison(input: { target: { allSchools: true }, phase: "primary",
         period: "201819", k: $k, outcomeMeasures: ["${RWM}"] }) { id status } }`,
      { k },
      { token: analystA },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.requestComparison.id as string;
  }

  beforeAll(async () => {
    api = await startApiUnderTest({ LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    const { db, a, publicData } = api;
    for (const urn of OWN_PRIMARY.slice(2)) {
      await db.query(
        `insert into schools (tenant_id, urn, name, phase, la_code) values ($1, $2, $3, 'Primary', '850')`,
        [a.id, urn, `Hampshire Primary ${urn}`],
      );
    }
    for (const urn of REFERENCE) {
      await db.query(
        `insert into schools (tenant_id, urn, name, phase) values ($1, $2, $3, 'Primary')`,
        [publicData.id, urn, `England Primary ${urn}`],
      );
    }
    await db.query(`update datasets set is_current = false where id = $1`, [api.aData.id]);
    const own = comparisonObservations(OWN_PRIMARY);
    const reference = comparisonObservations(REFERENCE, { variant: 'england' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, publicData.id, 'census', reference.context);
    await insertDataset(db, publicData.id, 'ks2', reference.outcomes);

    await api.app.listen(0, '127.0.0.1');
    url = (await api.app.getUrl()).replace(/^http/, 'ws') + '/graphql';
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
    analystA = await signIn(api.app, a.users.analyst!.email, a.users.analyst!.password);
    analystB = await signIn(api.app, api.b.users.analyst!.email, api.b.users.analyst!.password);
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await worker?.close();
    await api?.close();
  });

  afterEach(() => {
    worker.get(ComparisonRunner).checkpoint = () => undefined;
  });

  it('shows a run go from queued through running with progress to completed, as the worker reports it', async () => {
    // Only queue events can deliver updates in time: the fallback re-read is pushed out of reach.
    api.app.get(ComparisonRunUpdates).rereadMs = 60_000;
    const processor = worker.get(ComparisonRunProcessor);
    await processor.worker.pause();
    let sawProgress30!: () => void;
    const progress30 = new Promise<void>((resolve) => (sawProgress30 = resolve));
    // The worker waits, mid-job, until the subscriber has seen its 30 %: progress arrives live.
    worker.get(ComparisonRunner).checkpoint = async (phase) => {
      if (phase !== 'grouped') return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([progress30, new Promise((r) => (timer = setTimeout(r, 20_000)))]);
      clearTimeout(timer);
    };
    try {
      const id = await requestRun(5);
      const updates = follow(connect({ authorization: `Bearer ${analystA}` }), id, (update) => {
        const run = update.data?.comparisonRunUpdated;
        if (run?.status === 'QUEUED') void processor.worker.resume();
        if (run?.status === 'RUNNING' && run.progress === 30) sawProgress30();
      });
      const runs = (await updates).map((u) => {
        expect(u.errors).toBeUndefined();
        return u.data!.comparisonRunUpdated!;
      });
      expect(runs.every((r) => r.id === id)).toBe(true);
      const statuses = runs.map((r) => r.status).filter((s, i, all) => all[i - 1] !== s);
      expect(statuses).toEqual(['QUEUED', 'RUNNING', 'COMPLETED']);
      const progress = runs.map((r) => r.progress);
      expect([...progress].sort((x, y) => x - y)).toEqual(progress);
      expect(progress).toContain(30);
      expect(runs.filter((r) => r.status === 'RUNNING').length).toBeGreaterThanOrEqual(2);
      expect(runs.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 100 });
      expect(runs.find((r) => r.progress === 30)?.message).toMatch(/Finding similar schools/);
    } finally {
      await processor.worker.resume();
      api.app.get(ComparisonRunUpdates).rereadMs = 5_000;
    }
  });

  it('authenticates with an API key in the connection params, and answers a finished run at once', async () => {
    const created = await graphql(
      api.app,
      'mutation { createApiKey(name: "progress watcher") { secret } }',
      {},
      { token: analystA },
    );
    const id = await requestRun(4);
    const done = await follow(connect({ authorization: `Bearer ${analystA}` }), id);
    expect(done.at(-1)!.data!.comparisonRunUpdated!.status).toBe('COMPLETED');

    const viaKey = await follow(
      connect({ 'x-api-key': created.data!.createApiKey.secret as string }),
      id,
    );
    expect(viaKey).toEqual([
      { data: { comparisonRunUpdated: expect.objectContaining({ id, status: 'COMPLETED' }) } },
    ]);
  });

  it("gives tenant B an error and nothing of tenant A's run, and refuses anonymous subscribers", async () => {
    const processor = worker.get(ComparisonRunProcessor);
    await processor.worker.pause();
    try {
      // A's run, still queued: B must learn nothing of it, now or as it changes.
      const id = await requestRun(3);
      const seenByB = await follow(connect({ authorization: `Bearer ${analystB}` }), id);
      expect(seenByB).toHaveLength(1);
      expect(seenByB[0].data ?? null).toBeNull();
      expect(seenByB[0].errors).toEqual([
        expect.objectContaining({ extensions: { code: 'NOT_FOUND' } }),
      ]);
      expect(JSON.stringify(seenByB)).not.toMatch(/QUEUED|Waiting/);

      const anonymous = await follow(connect(), id);
      expect(anonymous[0].errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const forged = await follow(connect({ authorization: 'Bearer not-a-token' }), id);
      expect(forged[0].errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

      // A itself sees it; B, subscribed while A's run runs to completion, still gets nothing.
      const seenByA = follow(connect({ authorization: `Bearer ${analystA}` }), id);
      const bAgain = follow(connect({ authorization: `Bearer ${analystB}` }), id);
      await processor.worker.resume();
      expect((await seenByA).at(-1)!.data!.comparisonRunUpdated!.status).toBe('COMPLETED');
      const b = await bAgain;
      expect(b).toHaveLength(1);
      expect(b[0].errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      await processor.worker.resume();
    }
  });

  it('serves only subscriptions over the WebSocket', async () => {
    const client = connect({ authorization: `Bearer ${analystA}` });
    await expect(
      follow(client, 'unused', undefined, 'query { comparisonRuns(first: 1) { totalCount } }'),
    ).rejects.toThrow(/Only subscriptions/);
  });
});
