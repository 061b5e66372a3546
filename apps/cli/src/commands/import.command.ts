import { createReadStream, existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';

import { DatasetImports, DatasetsService, type DatasetSource } from '@schoolbench/datasets';

import { CommandError, tenantIdOf, withServices } from '../cli-context';

export interface ImportSummaryRow {
  file: string;
  status: string;
  version: number | string;
  rows: number;
  observations: number;
  schools: number;
  errors: number;
  warnings: number;
  seconds: number;
}

/** DfE column-definition files and EES metadata files are read with their data files, not alone. */
const isMetaFile = (name: string) =>
  /(^|[._-])meta(data)?[._-]|\.meta\.csv$|_meta[a-z_]*\.csv$/i.test(name);

async function filesIn(path: string): Promise<string[]> {
  if (!existsSync(path)) throw new CommandError(`No such file or folder: ${path}`);
  if (!statSync(path).isDirectory()) return [path];
  const names = (await readdir(path))
    .filter((n) => n.toLowerCase().endsWith('.csv') && !isMetaFile(n))
    .sort();
  if (!names.length) throw new CommandError(`No data files (*.csv) in ${path}`);
  return names.map((n) => join(path, n));
}

function source(path: string): DatasetSource {
  return { name: basename(path), open: () => createReadStream(path) };
}

/** The EES metadata file that goes with a data file, when it sits beside it. */
function eesMetaOf(path: string): DatasetSource | undefined {
  const meta = path.replace(/\.csv$/i, '.meta.csv');
  return meta !== path && existsSync(meta) ? source(meta) : undefined;
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return Math.max(lines, 1);
}

/** Imports files as one tenant's datasets, one dataset per file, each all or nothing. */
export async function importFiles(
  paths: string[],
  options: { tenant: string; profileId?: string; progress?: boolean },
): Promise<ImportSummaryRow[]> {
  return withServices((app) => importFilesWith(app, paths, options));
}

export async function importFilesWith(
  app: INestApplicationContext,
  paths: string[],
  options: { tenant: string; profileId?: string; progress?: boolean },
): Promise<ImportSummaryRow[]> {
  const files = (await Promise.all(paths.map(filesIn))).flat();
  {
    const tenantId = await tenantIdOf(app, options.tenant);
    const imports = app.get(DatasetImports);
    const rows: ImportSummaryRow[] = [];
    for (const path of files) {
      const started = Date.now();
      const bar = options.progress
        ? new SingleBar({
            format: `${basename(path).padEnd(40).slice(0, 40)} {bar} {percentage}% | {value}/{total} rows`,
            hideCursor: true,
          })
        : null;
      bar?.start(await countLines(path), 0);
      const outcome = await imports.importInto(tenantId, null, {
        file: source(path),
        meta: eesMetaOf(path),
        profileId: options.profileId,
        onProgress: (line) => bar?.update(line),
      });
      bar?.update(bar.getTotal());
      bar?.stop();
      const dataset = await app.get(DatasetsService).getInTenant(tenantId, outcome.datasetId);
      rows.push({
        file: basename(path),
        status: outcome.unchanged ? `${outcome.status} (unchanged)` : outcome.status,
        version: dataset.version,
        rows: dataset.rowsRead,
        observations: dataset.observationCount,
        schools: dataset.schoolCount,
        errors: dataset.errorCount,
        warnings: dataset.warningCount,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
      if (outcome.status === 'failed') {
        for (const p of dataset.problems.filter((x) => x.severity === 'error').slice(0, 5)) {
          process.stderr.write(
            `  ${p.file}${p.line ? `:${p.line}` : ''}${p.column ? ` [${p.column}]` : ''}: ${p.message} (${p.rule}). ${p.fix}\n`,
          );
        }
      }
    }
    return rows;
  }
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('Import DfE or EES files (or every data file of a folder) as datasets of a tenant')
    .argument('<paths...>', 'files or folders')
    .requiredOption('--tenant <tenant>', 'an LA code, or "public" for DfE’s published data')
    .option('--profile <id>', 'a mapping profile id of the tenant')
    .option('--no-progress', 'no progress bars')
    .action(
      async (paths: string[], opts: { tenant: string; profile?: string; progress: boolean }) => {
        const rows = await importFiles(paths, {
          tenant: opts.tenant,
          profileId: opts.profile,
          progress: opts.progress && process.stdout.isTTY,
        });
        console.table(rows);
        const failed = rows.filter((r) => r.status.startsWith('failed')).length;
        if (failed)
          throw new CommandError(
            `${failed} of ${rows.length} files failed validation; nothing of them was imported`,
          );
      },
    );
}

export interface ValidationSummaryRow {
  file: string;
  valid: boolean;
  rows: number;
  observations: number;
  schools: number;
  errors: number;
  warnings: number;
  stored: number | string;
  notMeasure: number | string;
  unknown: number | string;
}

/** Validates files as a tenant's imports would run, writing nothing (`DatasetImports.validate`). */
export async function validateFilesWith(
  app: INestApplicationContext,
  paths: string[],
  options: { tenant: string; profileId?: string },
): Promise<ValidationSummaryRow[]> {
  const files = (await Promise.all(paths.map(filesIn))).flat();
  const tenantId = await tenantIdOf(app, options.tenant);
  const imports = app.get(DatasetImports);
  const rows: ValidationSummaryRow[] = [];
  for (const path of files) {
    const result = await imports.validate(tenantId, {
      file: source(path),
      meta: eesMetaOf(path),
      profileId: options.profileId,
    });
    const { summary, problems } = result.report;
    const cells = summary?.cells;
    rows.push({
      file: basename(path),
      valid: result.valid,
      rows: summary?.rows ?? 0,
      observations: result.counts.observations,
      schools: result.counts.schools,
      errors: Math.max(
        summary?.errorCount ?? 0,
        problems.filter((p) => p.severity === 'error').length,
      ),
      warnings: summary?.warningCount ?? 0,
      stored: cells?.stored ?? '-',
      notMeasure: cells ? Object.values(cells.notMeasure).reduce((a, b) => a + b, 0) : '-',
      unknown: cells?.unknown ?? '-',
    });
    for (const p of problems.filter((x) => x.severity === 'error').slice(0, 5)) {
      process.stderr.write(
        `  ${p.file}${p.line ? `:${p.line}` : ''}${p.column ? ` [${p.column}]` : ''}: ${p.message} (${p.rule}). ${p.fix}\n`,
      );
    }
    // Warnings by rule, each with its count and first place, so hundreds stay readable.
    const warnings = new Map<string, { count: number; first: (typeof problems)[number] }>();
    for (const p of problems.filter((x) => x.severity === 'warning')) {
      const seen = warnings.get(p.rule);
      if (seen) seen.count += 1;
      else warnings.set(p.rule, { count: 1, first: p });
    }
    for (const [rule, { count: kept, first: p }] of warnings) {
      // The report keeps the first problems of a rule and counts them all.
      const count =
        summary?.problemCounts.find((c) => c.rule === rule && c.severity === 'warning')?.count ??
        kept;
      process.stderr.write(
        `  warning ×${count} (${rule}), first at ${p.file}${p.line ? `:${p.line}` : ''}${p.column ? ` [${p.column}]` : ''}: ${p.message}${p.fix ? ` ${p.fix}` : ''}\n`,
      );
    }
  }
  return rows;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'Run the whole import of files (or folders) as a tenant would, report as an import does, and write nothing',
    )
    .argument('<paths...>', 'files or folders')
    .requiredOption('--tenant <tenant>', 'an LA code, or "public" for DfE’s published data')
    .option('--profile <id>', 'a mapping profile id of the tenant')
    .action(async (paths: string[], opts: { tenant: string; profile?: string }) => {
      const rows = await withServices((app) =>
        validateFilesWith(app, paths, { tenant: opts.tenant, profileId: opts.profile }),
      );
      console.table(rows);
      const invalid = rows.filter((r) => !r.valid).length;
      if (invalid)
        throw new CommandError(
          `${invalid} of ${rows.length} files would fail; nothing was written`,
        );
    });
}
