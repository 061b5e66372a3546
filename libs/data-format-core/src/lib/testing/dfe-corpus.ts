import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

import { importFileBatches } from '../import/import-file';
import type { ImportReport } from '../import/import-record';
import type { Observation, SchoolRecord, SummaryObservation } from '../model/observation';
import type { Problem } from '../problems/problem';

/** Test support: reads the DfE corpus once per spec, keeping only what the expectations need. */
export interface FileResult {
  readonly report: ImportReport;
  readonly errors: Problem[];
  readonly warnings: Problem[];
  readonly schools: Map<string, SchoolRecord>;
  readonly observations: Observation[];
  readonly summaries: SummaryObservation[];
  readonly kinds: Record<string, number>;
}

/** Schools whose values were read by hand from the raw files (see the expectations). */
export const WATCHED = new Set([
  '116382',
  '116634',
  '144882',
  '116432',
  '121293',
  '121267',
  '100000',
  '138305',
  '126416',
  '116633',
  '116413',
  '112456',
]);

export function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

/** Streams a file and keeps only the watched schools' records, so the whole corpus stays cheap. */
export async function importDfe(path: string): Promise<FileResult> {
  const result: FileResult = {
    report: undefined as unknown as ImportReport,
    errors: [],
    warnings: [],
    schools: new Map(),
    observations: [],
    summaries: [],
    kinds: {},
  };
  for await (const batch of importFileBatches({
    file: { name: basename(path), bytes: readFileSync(path) },
  })) {
    for (const r of batch) {
      result.kinds[r.kind] = (result.kinds[r.kind] ?? 0) + 1;
      if (r.kind === 'problem')
        (r.problem.severity === 'error' ? result.errors : result.warnings).push(r.problem);
      else if (r.kind === 'school' && WATCHED.has(r.school.urn))
        result.schools.set(r.school.urn, r.school);
      else if (r.kind === 'observation' && WATCHED.has(r.observation.urn))
        result.observations.push(r.observation);
      else if (r.kind === 'summary-observation' && result.summaries.length < 200)
        result.summaries.push(r.observation);
      else if (r.kind === 'end') (result as { report: ImportReport }).report = r.report;
    }
  }
  return result;
}

/** Which adapter should read each file, and what it should produce. */
export const EXPECTED: readonly [
  RegExp,
  string,
  'results' | 'schools' | 'definitions' | 'authorities' | 'notes',
][] = [
  [/_ks2final\.csv$|ks2final_extract\.csv$/, 'dfe-ks2-final', 'results'],
  [/_ks4final\.csv$|ks4final_extract\.csv$|ks4provisional\.csv$/, 'dfe-ks4', 'results'],
  [/_census\.csv$/, 'dfe-census', 'results'],
  [/_abs\.csv$/, 'dfe-absence', 'results'],
  [/_cfr\.csv$/, 'dfe-cfr', 'results'],
  [/ks2_extract\.csv$/, 'profile:national-extract-ks2', 'results'],
  [/ks4_extract\.csv$/, 'profile:national-extract-ks4', 'results'],
  [/_spine\.csv$/, 'dfe-school-spine', 'schools'],
  [/school_details/, 'school-details', 'schools'],
  [/la_and_region_codes_meta\.csv$/, 'dfe-la-region-codes', 'authorities'],
  [/methodology/, 'dfe-methodology-notes', 'notes'],
  [/_meta\.csv$/, 'dfe-column-definitions', 'definitions'],
];

/** The checks every DfE file must pass: no errors, the right adapter, sensible output. */
export function expectImportedCleanly(file: string, r: FileResult): void {
  expect(r.errors).toEqual([]);
  expect(r.report.accepted).toBe(true);
  expect(r.report.contentHash).toMatch(/^[0-9a-f]{64}$/);
  const [, adapter, produces] = EXPECTED.find(([pattern]) => pattern.test(file)) ?? [];
  expect(r.report.adapter).toBe(adapter);
  switch (produces) {
    case 'results':
      expect(r.kinds.school).toBeGreaterThan(40);
      expect(r.kinds.observation ?? 0).toBeGreaterThan(r.kinds.school ?? 0);
      expect(r.report.periods).toHaveLength(1);
      break;
    case 'schools':
      expect(r.kinds.school).toBe(r.report.rows);
      break;
    case 'definitions':
      expect(r.kinds['column-definition']).toBe(r.report.rows);
      break;
    case 'authorities':
      expect(r.kinds['local-authority']).toBe(151);
      break;
    case 'notes':
      expect(r.kinds['methodology-note']).toBeGreaterThan(5);
      break;
    default:
      throw new Error(`no expectation for ${file}`);
  }
}
