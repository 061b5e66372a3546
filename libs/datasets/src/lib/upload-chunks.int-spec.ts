import type { INestApplicationContext } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { TenancyModule, TenantTransactions } from '@schoolbench/tenancy';
import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

import {
  storedUploadSize,
  storedUploadSource,
  storeUploadChunks,
  UPLOAD_CHUNK_BYTES,
} from './upload-chunks';

@Module({ imports: [AppConfigModule, TenancyModule, DatabaseModule] })
class ChunksTestModule {}

/** Uploads stored in `dataset_upload_chunks` come back byte for byte, under the tenant's RLS. */
describe('stored upload chunks', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let tx: TenantTransactions;
  let tenant: SeededTenant;
  let other: SeededTenant;
  const datasetId = '00000000-0000-4000-8000-0000000000c1';

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    tenant = await seedTenant(db, { laCode: '850', name: 'Hampshire', roles: [] });
    other = await seedTenant(db, { laCode: '815', name: 'North Yorkshire', roles: [] });
    await db.query(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status)
       values ($1, $2, 'pending', 1, 'big.csv', repeat('a', 64), 'queued')`,
      [tenant.id, datasetId],
    );
    app = await NestFactory.createApplicationContext(ChunksTestModule, { logger: false });
    tx = app.get(TenantTransactions);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('stores a file in chunks as it streams and reads it back in order, reporting bytes', async () => {
    // Multi-byte characters straddle the chunk boundaries.
    const bytes = Buffer.from('URN,naïve £ value\r\n'.repeat(150_000), 'utf8');
    const pieces = (function* () {
      for (let at = 0; at < bytes.length; at += 70_001) yield bytes.subarray(at, at + 70_001);
    })();
    const size = await tx.inTenant(tenant.id, (m) =>
      storeUploadChunks(m, tenant.id, datasetId, 'data', { name: 'big.csv', open: () => pieces }),
    );
    expect(size).toBe(bytes.length);
    const stored = await tx.inTenant(tenant.id, (m) =>
      storedUploadSize(m, tenant.id, datasetId, 'data'),
    );
    expect(stored).toEqual({
      bytes: bytes.length,
      chunks: Math.ceil(bytes.length / UPLOAD_CHUNK_BYTES),
    });
    expect(stored.chunks).toBeGreaterThan(2);

    const reported: number[] = [];
    const source = storedUploadSource(
      tx,
      tenant.id,
      datasetId,
      'data',
      'big.csv',
      stored.chunks,
      (n) => {
        reported.push(n);
        return Promise.resolve();
      },
    );
    const read: Buffer[] = [];
    await tx.inTenant(tenant.id, async () => {
      for await (const chunk of source.open() as AsyncIterable<Uint8Array>) {
        read.push(Buffer.from(chunk));
      }
    });
    expect(Buffer.concat(read).equals(bytes)).toBe(true);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(reported.at(-1)).toBe(bytes.length);
  });

  it('shows another tenant none of the chunks', async () => {
    const seen = await tx.inTenant(other.id, (m) =>
      storedUploadSize(m, tenant.id, datasetId, 'data'),
    );
    expect(seen).toEqual({ bytes: 0, chunks: 0 });
  });
});
