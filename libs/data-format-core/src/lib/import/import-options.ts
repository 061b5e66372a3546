import type { ByteSource } from '../bytes/byte-source';
import { MEASURE_CATALOGUE, type MeasureCatalogue } from '../catalogue/measure-catalogue';
import type { EesReferenceLists } from '../ees/ees-reference-lists';
import type { MappingProfile } from '../mapping-profiles/mapping-profile';
import type { ColumnDefinition, Period } from '../model/observation';

export interface NamedFile {
  readonly name: string;
  readonly bytes: ByteSource;
}

export interface ImportOptions {
  readonly file: NamedFile;
  /** The `.meta.csv` of an EES open-data file. */
  readonly meta?: NamedFile;
  /** A mapping profile (already validated with `parseMappingProfile`) to read the file with. */
  readonly profile?: MappingProfile;
  readonly catalogue?: MeasureCatalogue;
  /**
   * DfE column definitions from the file's `*_meta.csv` (`readColumnDefinitions`); they decide
   * whether `NA`, `NE` and `NP` mean `x` or `z` column by column.
   */
  readonly columnDefinitions?: ReadonlyMap<string, ColumnDefinition>;
  /** From the LA register; codes it rejects are `unknown_la_code` errors. */
  readonly isKnownLaCode?: (code: string) => boolean;
  /**
   * DfE's EES screener reference lists (`loadEesReferenceLists`). The product always passes them;
   * without them EES location codes are checked for their format only.
   */
  readonly eesReferenceLists?: EesReferenceLists;
  /** A tenant's upload keeps only its own schools; other LAs' rows are skipped with a warning. */
  readonly restrictToLaCodes?: readonly string[];
  /** Overrides the period worked out from the file name or content. */
  readonly period?: Period;
  /** Upload size limit in bytes; larger files stop with `file_too_large`. */
  readonly maxBytes?: number;
  /** Problems kept per rule (counts stay exact). Default 200. */
  readonly maxProblemsPerRule?: number;
}

export interface ResolvedImportOptions extends ImportOptions {
  readonly catalogue: MeasureCatalogue;
  readonly restrictTo: ReadonlySet<string> | null;
}

export function resolveImportOptions(options: ImportOptions): ResolvedImportOptions {
  return {
    ...options,
    catalogue: options.catalogue ?? MEASURE_CATALOGUE,
    restrictTo: options.restrictToLaCodes ? new Set(options.restrictToLaCodes) : null,
  };
}
