import type { EntityManager } from 'typeorm';

import type { TenantTransactions } from '@schoolbench/tenancy';

import type { DatasetSource } from './dataset-source';

/** Bytes per stored row: few rows per file, and each read stays small. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** What the parser is handed at a time, so progress moves smoothly within a stored chunk. */
const SLICE_BYTES = 64 * 1024;

export type UploadPart = 'data' | 'meta';

/**
 * Stores a file in `dataset_upload_chunks`, in the caller's transaction, and returns its size.
 * Chunks are cut from the stream as it arrives, so memory holds one chunk at a time.
 */
export async function storeUploadChunks(
  m: EntityManager,
  tenantId: string,
  datasetId: string,
  part: UploadPart,
  source: DatasetSource,
): Promise<number> {
  let seq = 0;
  let total = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const write = async (bytes: Buffer): Promise<void> => {
    await m.query(
      `insert into dataset_upload_chunks (tenant_id, dataset_id, part, seq, bytes) values ($1, $2, $3, $4, $5)`,
      [tenantId, datasetId, part, seq++, bytes],
    );
  };
  const bytes = source.open();
  const chunks: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string> =
    typeof bytes === 'string' || bytes instanceof Uint8Array ? [bytes] : bytes;
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    pending.push(buffer);
    pendingBytes += buffer.length;
    total += buffer.length;
    while (pendingBytes >= UPLOAD_CHUNK_BYTES) {
      const joined = Buffer.concat(pending);
      await write(joined.subarray(0, UPLOAD_CHUNK_BYTES));
      const rest = joined.subarray(UPLOAD_CHUNK_BYTES);
      pending = rest.length ? [rest] : [];
      pendingBytes = rest.length;
    }
  }
  if (pendingBytes > 0) await write(Buffer.concat(pending));
  return total;
}

/** The stored size of one part, in bytes (0 when absent). */
export async function storedUploadSize(
  m: EntityManager,
  tenantId: string,
  datasetId: string,
  part: UploadPart,
): Promise<{ bytes: number; chunks: number }> {
  const [row] = await m.query<{ bytes: string | null; chunks: number }[]>(
    `select sum(octet_length(bytes))::bigint as bytes, count(*)::int as chunks
     from dataset_upload_chunks where tenant_id = $1 and dataset_id = $2 and part = $3`,
    [tenantId, datasetId, part],
  );
  return { bytes: Number(row?.bytes ?? 0), chunks: row?.chunks ?? 0 };
}

/**
 * A stored file as a source the import pipeline can stream: one chunk is read from the database
 * at a time, in a short transaction of its own (the import's connection is busy writing), and
 * handed on in slices. `onBytes` hears how
 * many bytes were handed on so far, which is what import progress is measured by.
 */
export function storedUploadSource(
  tx: TenantTransactions,
  tenantId: string,
  datasetId: string,
  part: UploadPart,
  name: string,
  chunks: number,
  onBytes?: (handedOn: number) => Promise<void>,
): DatasetSource {
  return {
    name,
    open: () =>
      (async function* read(): AsyncGenerator<Uint8Array> {
        let handedOn = 0;
        for (let seq = 0; seq < chunks; seq++) {
          const [row] = await tx.inTenantApart(tenantId, (m) =>
            m.query<{ bytes: Buffer }[]>(
              `select bytes from dataset_upload_chunks
               where tenant_id = $1 and dataset_id = $2 and part = $3 and seq = $4`,
              [tenantId, datasetId, part, seq],
            ),
          );
          // A missing chunk means the upload was removed under us: stop rather than import part.
          if (!row) throw new Error(`Stored upload ${datasetId} lost its ${part} chunk ${seq}`);
          for (let at = 0; at < row.bytes.length; at += SLICE_BYTES) {
            const slice = row.bytes.subarray(at, at + SLICE_BYTES);
            yield slice;
            handedOn += slice.length;
            await onBytes?.(handedOn);
          }
        }
      })(),
  };
}

export async function deleteUploadChunks(
  m: EntityManager,
  tenantId: string,
  datasetId: string,
): Promise<void> {
  await m.query('delete from dataset_upload_chunks where tenant_id = $1 and dataset_id = $2', [
    tenantId,
    datasetId,
  ]);
}
