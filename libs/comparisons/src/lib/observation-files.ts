import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

import { importFileBatches } from '@schoolbench/data-format-core';

import type { PopulationSchool } from './comparison-computation';
import { ObservationTable } from './observation-table';

export interface FileObservations {
  /** Schools met in the files, with the phase the files give them (last one read wins). */
  readonly schools: (PopulationSchool & { readonly phase: string | null })[];
  readonly observations: ObservationTable;
  readonly count: number;
}

/**
 * Reads DfE files as published (the importer's adapters, streamed) straight into the tables a
 * comparison reads, without a database: the same data the worker would load after an import.
 * For checks and benchmarks at national scale; `tenantId` labels whose data it is.
 */
export async function readObservationFiles(
  paths: readonly string[],
  tenantId: string,
): Promise<FileObservations> {
  const observations = new ObservationTable();
  const schools = new Map<number, PopulationSchool & { phase: string | null }>();
  let count = 0;
  for (const path of paths) {
    const file = { name: basename(path), bytes: createReadStream(path) };
    for await (const batch of importFileBatches({ file })) {
      for (const record of batch) {
        if (record.kind === 'school') {
          const urn = Number(record.school.urn);
          const before = schools.get(urn);
          schools.set(urn, {
            urn,
            tenantId,
            laCode: record.school.laCode ?? before?.laCode ?? null,
            phase: record.school.phase ?? before?.phase ?? null,
          });
        } else if (record.kind === 'observation') {
          const o = record.observation;
          observations.set(
            o.measure,
            o.period.timePeriod,
            o.breakdown,
            Number(o.urn),
            o.suppression ?? o.value,
          );
          count++;
        } else if (record.kind === 'end' && !record.report.accepted) {
          throw new Error(`${path} did not pass validation (${record.report.errorCount} errors)`);
        }
      }
    }
  }
  return {
    schools: [...schools.values()].sort((a, b) => a.urn - b.urn),
    observations,
    count,
  };
}
