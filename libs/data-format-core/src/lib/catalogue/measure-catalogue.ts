import { z } from 'zod';

import { isBreakdownCode } from '../model/observation';
import { MEASURE_CATALOGUE_V2 } from './measure-catalogue-v2';

export const MEASURE_CATEGORIES = [
  'attainment',
  'progress',
  'context',
  'attendance',
  'finance',
] as const;
export const MEASURE_UNITS = ['percent', 'score', 'count', 'gbp', 'ratio'] as const;
export const POLARITIES = ['higher_better', 'lower_better', 'neutral'] as const;

/**
 * File vocabularies the catalogue maps from. DfE renames columns between file types, not
 * between final and provisional files, so KS4 final and provisional share `dfe-ks4`.
 */
export const SOURCE_FORMATS = [
  'dfe-ks2',
  'dfe-ks4',
  'dfe-census',
  'dfe-absence',
  'dfe-cfr',
  'national-extract-ks2',
  'national-extract-ks4',
  'ees',
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const columnsByBreakdown = z
  .record(z.string(), z.string().min(1))
  .refine((r) => Object.keys(r).every(isBreakdownCode), {
    message: 'breakdown codes must be snake_case',
  });

const sourceSchema = z.object({
  format: z.enum(SOURCE_FORMATS),
  years: z.array(z.string().regex(/^\d{6}$/)).optional(),
  columns: columnsByBreakdown,
  denominators: columnsByBreakdown.optional(),
  numerators: columnsByBreakdown.optional(),
});

const measureSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1),
  description: z.string().optional(),
  category: z.enum(MEASURE_CATEGORIES),
  unit: z.enum(MEASURE_UNITS),
  polarity: z.enum(POLARITIES),
  phases: z.array(z.string()).min(1),
  decimals: z.number().int().min(0).max(6),
  sources: z.array(sourceSchema),
  /** The measures holding this one's 95% confidence limits, where DfE publishes them. */
  confidenceInterval: z.object({ lower: z.string(), upper: z.string() }).optional(),
});

/** Why a column DfE publishes is deliberately not stored. */
export const NOT_STORED_REASONS = [
  'school_details',
  'earlier_year',
  'three_year_average',
  'la_comparator',
  'description',
  'ignored_by_profile',
] as const;
export type NotStoredReason = (typeof NOT_STORED_REASONS)[number];

const notStoredSchema = z.object({
  format: z.enum(SOURCE_FORMATS),
  reason: z.enum(NOT_STORED_REASONS),
  why: z.string().min(1),
  columns: z.array(z.string().min(1)),
  /** Earlier-year copies: column → file year → [measure, breakdown, year of the value]. */
  copies: z
    .record(z.string(), z.record(z.string(), z.tuple([z.string(), z.string(), z.string()])))
    .optional(),
});

const catalogueSchema = z.object({
  version: z.string().min(1),
  description: z.string().optional(),
  measures: z.array(measureSchema).min(1),
  notStored: z.array(notStoredSchema).default([]),
});

export type Measure = z.infer<typeof measureSchema>;
export type MeasureSource = z.infer<typeof sourceSchema>;
export type MeasureCategory = Measure['category'];
export type MeasureUnit = Measure['unit'];
export type Polarity = Measure['polarity'];

/** A column deliberately not stored, and for an earlier-year copy the value it repeats. */
export interface NotStoredColumn {
  readonly column: string;
  readonly reason: NotStoredReason;
  readonly why: string;
  /** Earlier-year copies: the stored observation it repeats. */
  readonly copyOf?: {
    readonly measure: string;
    readonly breakdown: string;
    readonly timePeriod: string;
  };
}

/** What one column of one file format and year means. */
export interface ColumnMapping {
  readonly column: string;
  readonly measure: Measure;
  readonly breakdown: string;
  readonly denominatorColumn?: string;
  readonly numeratorColumn?: string;
  /** Multiplier applied before range checks (a mapping profile reading 0.45 as 45%). */
  readonly scale?: number;
}

/**
 * The versioned measure catalogue (`measure-catalogue-v2.ts`): what SchoolBench measures and
 * which column feeds each measure in each file format and year. Adapters never hard-code
 * measure columns; they ask the catalogue.
 */
export class MeasureCatalogue {
  private readonly byCode: ReadonlyMap<string, Measure>;

  private constructor(
    readonly version: string,
    readonly measures: readonly Measure[],
    readonly notStored: readonly z.infer<typeof notStoredSchema>[] = [],
  ) {
    this.byCode = new Map(measures.map((m) => [m.code, m]));
  }

  /** Validates a catalogue document; throws with every problem listed. */
  static fromJson(json: unknown): MeasureCatalogue {
    const parsed = catalogueSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`Invalid measure catalogue: ${z.prettifyError(parsed.error)}`);
    }
    const errors: string[] = [];
    const seen = new Set<string>();
    const claimed = new Map<string, string>();
    for (const m of parsed.data.measures) {
      if (seen.has(m.code)) errors.push(`measure ${m.code} is listed twice`);
      seen.add(m.code);
      for (const s of m.sources) {
        for (const year of s.years ?? ['*']) {
          for (const [breakdown, column] of Object.entries(s.columns)) {
            // One column can only feed one measure and breakdown per format and year.
            const key = `${s.format}|${year}|${column}`;
            const owner = claimed.get(key);
            if (owner)
              errors.push(
                `${s.format} ${year} column ${column} feeds both ${owner} and ${m.code}/${breakdown}`,
              );
            claimed.set(key, `${m.code}/${breakdown}`);
          }
        }
      }
    }
    for (const m of parsed.data.measures) {
      for (const code of Object.values(m.confidenceInterval ?? {})) {
        if (!seen.has(code)) errors.push(`${m.code} names confidence limit ${code}, not a measure`);
      }
    }
    // A column stored in one year may be an earlier-year copy in a later file (CFR `T1718CAT1`):
    // the year's stored mapping wins, so `notStored` needs no years of its own.
    if (errors.length > 0) throw new Error(`Invalid measure catalogue: ${errors.join('; ')}`);
    return new MeasureCatalogue(parsed.data.version, parsed.data.measures, parsed.data.notStored);
  }

  measure(code: string): Measure | undefined {
    return this.byCode.get(code);
  }

  /** Column → measure/breakdown for one format and EES time_period. */
  columnsFor(format: SourceFormat, timePeriod: string | null): Map<string, ColumnMapping> {
    const out = new Map<string, ColumnMapping>();
    for (const measure of this.measures) {
      for (const s of measure.sources) {
        if (s.format !== format) continue;
        if (s.years && (timePeriod === null || !s.years.includes(timePeriod))) continue;
        for (const [breakdown, column] of Object.entries(s.columns)) {
          out.set(column, {
            column,
            measure,
            breakdown,
            denominatorColumn: s.denominators?.[breakdown],
            numeratorColumn: s.numerators?.[breakdown],
          });
        }
      }
    }
    return out;
  }

  /**
   * Columns of a format that are deliberately not stored in a year, by upper-cased name. An
   * earlier-year copy names the observation it repeats (`copyOf`).
   */
  notStoredFor(format: SourceFormat, timePeriod: string | null): Map<string, NotStoredColumn> {
    const out = new Map<string, NotStoredColumn>();
    const ranks = new Map<string, number>();
    for (const n of this.notStored) {
      if (n.format !== format) continue;
      for (const column of n.columns) {
        const copy = timePeriod === null ? undefined : n.copies?.[column]?.[timePeriod];
        const [measure, breakdown, year] = copy ?? [];
        // A column can be this year's LA figure in one file and an earlier year's in a later one
        // (CFR `T1718CAT1LA`): the entry that says what it holds in this year wins.
        const key = column.toUpperCase();
        const rank = (copy ? 2 : 0) + (n.reason === 'la_comparator' ? 0 : 1);
        if ((ranks.get(key) ?? -1) > rank) continue;
        ranks.set(key, rank);
        out.set(key, {
          column,
          reason: n.reason,
          why: n.why,
          ...(measure && breakdown && year
            ? { copyOf: { measure, breakdown, timePeriod: year } }
            : {}),
        });
      }
    }
    return out;
  }

  /** Every column the catalogue mentions for a format in any year (value, numerator or denominator). */
  knownColumns(format: SourceFormat): Set<string> {
    const out = new Set<string>();
    for (const measure of this.measures) {
      for (const s of measure.sources) {
        if (s.format !== format) continue;
        for (const map of [s.columns, s.denominators ?? {}, s.numerators ?? {}]) {
          for (const column of Object.values(map)) out.add(column);
        }
      }
    }
    return out;
  }
}

/** The catalogue shipped with this version of SchoolBench. */
export const MEASURE_CATALOGUE: MeasureCatalogue = MeasureCatalogue.fromJson(MEASURE_CATALOGUE_V2);
