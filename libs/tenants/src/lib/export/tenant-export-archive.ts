import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import { pack as tarPack } from 'tar-stream';

import { neutraliseCell } from '@schoolbench/data-format-core';

/** One file of an export, as the manifest describes it. */
export interface ManifestFile {
  readonly path: string;
  /** Data rows (CSV lines after the header); null for files that are not tables. */
  readonly rows: number | null;
  readonly bytes: number;
  readonly sha256: string;
}

/** `manifest.json`, the last entry of every export archive (docs/operations.md, "Exporting a tenant"). */
export interface TenantExportManifest {
  readonly format: 'schoolbench-tenant-export';
  readonly formatVersion: 1;
  readonly exportId: string | null;
  readonly tenant: { readonly id: string; readonly laCode: string | null; readonly name: string };
  readonly createdAt: string;
  /** The last migration applied to the database the export was read from. */
  readonly schemaVersion: string;
  readonly catalogueVersion: string;
  readonly laRegisterVersion: string;
  readonly files: readonly ManifestFile[];
  /** What is deliberately not in the archive, and why (ADR 0081). */
  readonly excluded: readonly string[];
}

/** A cell as text: numbers as written, dates as ISO 8601, lists and objects as JSON; text made formula-safe. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return neutraliseCell(value);
  // Lists and JSON documents start with [ or {: never a formula trigger.
  return JSON.stringify(value);
}

/** A table as formula-safe CSV (RFC 4180 quoting by csv-stringify), header first. */
export function tableCsv(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): Buffer {
  const records = rows.map((row) => columns.map((c) => cellText(row[c])));
  return Buffer.from(
    stringify([columns.map((c) => neutraliseCell(c)), ...records], { eof: true }),
    'utf8',
  );
}

/** Data rows of a CSV with a header line (quoted line breaks counted out by csv-stringify's quoting). */
export function csvDataRows(text: string): number {
  let lines = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) quoted = !quoted;
    else if (ch === 10 && !quoted) lines++;
  }
  return Math.max(0, lines - 1);
}

/**
 * Writes one `.tar.gz`: entries one at a time (memory holds one file), each hashed for the
 * manifest; the compressed bytes go to `sink` in pieces of `pieceBytes` as they are produced, and
 * are hashed too, so the archive's own SHA-256 is known when the last piece is written.
 */
export class TenantExportArchive {
  private readonly pack = tarPack();
  private readonly files: ManifestFile[] = [];
  private readonly archiveHash = createHash('sha256');
  private sizeBytes = 0;
  private readonly drained: Promise<void>;

  constructor(
    private readonly createdAt: Date,
    sink: (piece: Buffer) => Promise<void>,
    pieceBytes: number,
  ) {
    const gzip = createGzip();
    this.pack.pipe(gzip);
    this.drained = (async () => {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of gzip as AsyncIterable<Buffer>) {
        this.archiveHash.update(chunk);
        this.sizeBytes += chunk.length;
        pending.push(chunk);
        pendingBytes += chunk.length;
        while (pendingBytes >= pieceBytes) {
          const joined = Buffer.concat(pending);
          await sink(joined.subarray(0, pieceBytes));
          const rest = joined.subarray(pieceBytes);
          pending = rest.length ? [rest] : [];
          pendingBytes = rest.length;
        }
      }
      if (pendingBytes > 0) await sink(Buffer.concat(pending));
    })();
    // Surfaced by finish(); never an unhandled rejection meanwhile.
    this.drained.catch(() => undefined);
  }

  async add(path: string, bytes: Buffer, rows: number | null): Promise<void> {
    this.files.push({
      path,
      rows,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    await new Promise<void>((resolve, reject) =>
      this.pack.entry({ name: path, size: bytes.length, mtime: this.createdAt }, bytes, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  /** Adds `manifest.json` (the files so far) and closes the archive. */
  async finish(
    manifest: Omit<TenantExportManifest, 'files'>,
  ): Promise<{ manifest: TenantExportManifest; sizeBytes: number; sha256: string }> {
    const complete: TenantExportManifest = { ...manifest, files: [...this.files] };
    const text = Buffer.from(`${JSON.stringify(complete, null, 2)}\n`, 'utf8');
    await new Promise<void>((resolve, reject) =>
      this.pack.entry(
        { name: 'manifest.json', size: text.length, mtime: this.createdAt },
        text,
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    this.pack.finalize();
    await this.drained;
    return {
      manifest: complete,
      sizeBytes: this.sizeBytes,
      sha256: this.archiveHash.digest('hex'),
    };
  }
}
