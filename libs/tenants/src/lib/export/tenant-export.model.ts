import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

import type { TenantExportRecord } from './tenant-exports.service';

export enum TenantExportStatus {
  QUEUED = 'queued',
  BUILDING = 'building',
  READY = 'ready',
  FAILED = 'failed',
  EXPIRED = 'expired',
}
registerEnumType(TenantExportStatus, {
  name: 'TenantExportStatus',
  description:
    'QUEUED → BUILDING → READY (downloadable until expiresAt) → EXPIRED (archive deleted); or FAILED after retries.',
});

@ObjectType('TenantExportFile', {
  description: 'One file of the archive, as its manifest lists it.',
})
export class TenantExportFileModel {
  @Field()
  path!: string;

  @Field(() => Int, { nullable: true, description: 'Data rows (CSV lines after the header).' })
  rows!: number | null;

  @Field(() => Float)
  bytes!: number;

  @Field({ description: 'SHA-256 of the file, hex.' })
  sha256!: string;
}

@ObjectType('TenantExport', {
  description:
    "An archive of everything the authority owns (docs/operations.md, 'Exporting a tenant').",
})
export class TenantExportModel {
  @Field(() => ID)
  id!: string;

  @Field(() => TenantExportStatus)
  status!: TenantExportStatus;

  @Field(() => Int, { description: '0–100 while building.' })
  progress!: number;

  @Field(() => String, { nullable: true, description: 'What the job is doing now.' })
  message!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the export failed.' })
  error!: string | null;

  @Field(() => String, { nullable: true })
  fileName!: string | null;

  @Field(() => Float, { nullable: true, description: 'Size of the .tar.gz archive.' })
  sizeBytes!: number | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the .tar.gz archive, hex.' })
  sha256!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'GET with the same credentials when READY: the archive (application/gzip).',
  })
  downloadPath!: string | null;

  @Field(() => [TenantExportFileModel], {
    description: 'The manifest: every file of the archive (empty until READY).',
  })
  files!: TenantExportFileModel[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Not downloadable after.' })
  expiresAt!: Date | null;
}

export function toTenantExportModel(record: TenantExportRecord): TenantExportModel {
  return {
    id: record.id,
    status: record.status as TenantExportStatus,
    progress: record.progress,
    message: record.message,
    error: record.error,
    fileName: record.fileName,
    sizeBytes: record.sizeBytes,
    sha256: record.sha256,
    downloadPath: record.status === 'ready' ? `/api/tenant-exports/${record.id}/archive` : null,
    files: record.manifest?.files.map((f) => ({ ...f })) ?? [],
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    expiresAt: record.expiresAt,
  };
}
