import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

import {
  regionOfSubRegion,
  type GovernmentOfficeRegion,
} from '../regions/government-office-region';
import { LaRegisterError, parseLaCode } from '../register/la-register';

/** One row of DfE's `la_and_region_codes_meta.csv`. */
export interface LaRegionCode {
  readonly code: number;
  readonly name: string;
  /** DfE's sub-region number and name, e.g. 7 and "North West B". */
  readonly subRegionCode: string;
  readonly subRegionName: string;
  readonly region: GovernmentOfficeRegion;
}

const COLUMNS = ['LEA', 'LA Name', 'REGION', 'REGION NAME'] as const;

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Older DfE downloads are Windows-1252.
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Reads DfE's LA code list (columns `LEA,LA Name,REGION,REGION NAME`, with or without BOM and
 * CRLF). Sub-regions are mapped to their GOR; a row that cannot be mapped is an error naming
 * its line, because a school silently without a region would fall out of regional comparisons.
 */
export function parseLaRegionCodes(input: string | Uint8Array): LaRegionCode[] {
  const text = typeof input === 'string' ? input : decode(input);
  const records = parse(text, {
    bom: true,
    skip_empty_lines: true,
    trim: true,
    relax_column_count: true,
  });
  const [header, ...rows] = records;
  if (!header) throw new LaRegisterError('The LA code list is empty');
  const at = COLUMNS.map((column) =>
    header.findIndex((h) => h.toUpperCase() === column.toUpperCase()),
  );
  const missing = COLUMNS.filter((_, i) => at[i] === -1);
  if (missing.length > 0) {
    throw new LaRegisterError(
      `The LA code list has no column ${missing.map((c) => `"${c}"`).join(', ')} (expected ${COLUMNS.join(',')})`,
    );
  }
  const [codeAt, nameAt, subCodeAt, subNameAt] = at as [number, number, number, number];
  const seen = new Set<number>();
  return rows.map((row, i) => {
    const line = i + 2;
    const cell = (index: number): string => row[index] ?? '';
    const code = parseLaCode(cell(codeAt));
    if (code === undefined) {
      throw new LaRegisterError(`Line ${line}: LEA "${cell(codeAt)}" is not a three-digit LA code`);
    }
    if (seen.has(code)) throw new LaRegisterError(`Line ${line}: LA ${code} appears twice`);
    seen.add(code);
    const subRegionName = cell(subNameAt);
    const region = regionOfSubRegion(subRegionName);
    if (!region) {
      throw new LaRegisterError(
        `Line ${line}: region "${subRegionName}" is not one of England's government office regions or their DfE sub-regions`,
      );
    }
    return { code, name: cell(nameAt), subRegionCode: cell(subCodeAt), subRegionName, region };
  });
}

export async function readLaRegionCodesFile(path: string): Promise<LaRegionCode[]> {
  return parseLaRegionCodes(await readFile(path));
}
