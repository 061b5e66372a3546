import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

import { ComparisonInputError } from '../methods/comparison-input-error';

/** A DfE school census file as published: header plus rows of text cells. */
export interface CensusTable {
  readonly source: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Some DfE downloads are Windows-1252.
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Parses a census CSV (UTF-8 with or without BOM, or Windows-1252; CRLF or LF; ragged rows for
 * new schools). Cells stay text: `parseCensusNumber` decides what is a number.
 */
export function parseCensusCsv(input: string | Uint8Array, source = 'census'): CensusTable {
  const text = typeof input === 'string' ? input : decode(input);
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    throw new ComparisonInputError(
      `${source} is not a readable CSV file: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const [header, ...rows] = records;
  if (!header || header.length === 0) throw new ComparisonInputError(`${source} is empty`);
  return { source, columns: header.map((h) => h.trim()), rows };
}

export async function readCensusFile(path: string): Promise<CensusTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ComparisonInputError(
      code === 'ENOENT'
        ? `Census file not found: ${path}`
        : `Cannot read census file ${path} (${code ?? 'error'})`,
      { path },
    );
  }
  return parseCensusCsv(bytes, path);
}

/** Index of each named column; a clear error lists the ones the file lacks. */
export function censusColumns(table: CensusTable, names: readonly string[]): number[] {
  const upper = table.columns.map((c) => c.toUpperCase());
  const at = names.map((name) => upper.indexOf(name.toUpperCase()));
  const missing = names.filter((_, i) => at[i] === -1);
  if (missing.length > 0) {
    throw new ComparisonInputError(`${table.source} has no column ${missing.join(', ')}`, {
      missingColumns: missing,
    });
  }
  return at;
}

/**
 * Rows describing one school: a numeric URN (national files end with `NAT` summary rows) and,
 * where the file has `RECTYPE`, record type 1 (2 and 4 are LA and national summaries).
 */
export function* censusSchoolRows(table: CensusTable): Generator<readonly string[]> {
  const [urnAt] = censusColumns(table, ['URN']) as [number];
  const recTypeAt = table.columns.findIndex((c) => c.toUpperCase() === 'RECTYPE');
  for (const row of table.rows) {
    if (!/^\d+$/.test((row[urnAt] ?? '').trim())) continue;
    if (recTypeAt !== -1 && (row[recTypeAt] ?? '').trim() !== '1') continue;
    yield row;
  }
}

/** The SCHOOLTYPE values of the school rows and how many schools each has, by name. */
export function censusSchoolTypes(table: CensusTable): Map<string, number> {
  const [typeAt] = censusColumns(table, ['SCHOOLTYPE']) as [number];
  const counts = new Map<string, number>();
  for (const row of censusSchoolRows(table)) {
    const type = (row[typeAt] ?? '').trim();
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
