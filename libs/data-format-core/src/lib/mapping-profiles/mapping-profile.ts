import { z } from 'zod';

import { MEASURE_CATALOGUE, type MeasureCatalogue } from '../catalogue/measure-catalogue';
import { isBreakdownCode, SUPPRESSION_CODES, TIME_IDENTIFIERS } from '../model/observation';
import { ProblemLog, type Problem } from '../problems/problem';

/** How a column's text becomes an EES time_period. */
export const PERIOD_TRANSFORMS = [
  /** `2018` is the academic year 2017/18 (the re-published national extracts). */
  'academic_year_end',
  /** `2017` is the academic year 2017/18. */
  'academic_year_start',
  /** `2017/18`, `2017-18`, `2017-2018` or `201718`. */
  'year_range',
  /** Already an EES time_period (`201718`). */
  'ees_time_period',
] as const;

const periodSchema = z.union([
  z.object({
    fixed: z.object({
      timePeriod: z.string().regex(/^\d{6}$/, 'timePeriod is six digits, e.g. 201718'),
      timeIdentifier: z.enum(TIME_IDENTIFIERS),
    }),
  }),
  z.object({
    column: z.string().min(1),
    transform: z.enum(PERIOD_TRANSFORMS),
    timeIdentifier: z.enum(TIME_IDENTIFIERS),
  }),
  z.object({
    /** Take the year from the file name, as for DfE downloads. */
    fromFileName: z.literal(true),
    timeIdentifier: z.enum(TIME_IDENTIFIERS),
  }),
]);

const columnSchema = z.object({
  column: z.string().min(1),
  measure: z.string().min(1),
  breakdown: z
    .string()
    .refine(isBreakdownCode, 'breakdown must be a snake_case code such as all or disadvantaged')
    .default('all'),
  denominatorColumn: z.string().min(1).optional(),
  numeratorColumn: z.string().min(1).optional(),
  /** Only for these EES time_periods (columns that changed meaning between years). */
  years: z.array(z.string().regex(/^\d{6}$/)).optional(),
});

export const mappingProfileSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id is lower-case letters, digits and hyphens'),
  name: z.string().min(1),
  version: z.number().int().positive().default(1),
  description: z.string().optional(),
  /** Columns a file must have for this profile to be suggested automatically. */
  matchColumns: z.array(z.string().min(1)).default([]),
  urnColumn: z.string().min(1),
  schoolNameColumn: z.string().min(1).optional(),
  laCodeColumn: z.string().min(1).optional(),
  period: periodSchema,
  columns: z.array(columnSchema).min(1, 'map at least one column to a measure'),
  /** Columns the file has that are deliberately not imported (no warning for them). */
  ignoreColumns: z.array(z.string()).default([]),
  values: z
    .object({
      /** Extra codes and the EES symbol each means, e.g. { "SUPP": "c", "-": "z" }. */
      codes: z.record(z.string().min(1), z.enum(SUPPRESSION_CODES)).default({}),
      /** `fraction` when percentages are written 0.45 instead of 45. */
      percentages: z.enum(['percent', 'fraction']).default('percent'),
    })
    .default({ codes: {}, percentages: 'percent' }),
});

export type MappingProfile = z.infer<typeof mappingProfileSchema>;
export type MappingProfileInput = z.input<typeof mappingProfileSchema>;

export interface ParsedMappingProfile {
  readonly profile: MappingProfile | null;
  readonly problems: readonly Problem[];
}

/**
 * Validates a tenant's mapping profile (JSON) against the schema and the measure catalogue.
 * Problems use the rule `invalid_mapping_profile` with the field path as the column.
 */
export function parseMappingProfile(
  json: unknown,
  catalogue: MeasureCatalogue = MEASURE_CATALOGUE,
  name = 'mapping profile',
): ParsedMappingProfile {
  const log = new ProblemLog(name);
  const parsed = mappingProfileSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      log.add('invalid_mapping_profile', {
        column: path || null,
        message: `${path || 'profile'}: ${issue.message}`,
      });
    }
    return { profile: null, problems: log.drain() };
  }
  const profile = parsed.data;
  const targets = new Map<string, string>();
  profile.columns.forEach((c, i) => {
    const at = `columns.${i}`;
    const measure = catalogue.measure(c.measure);
    if (!measure) {
      log.add('invalid_mapping_profile', {
        column: `${at}.measure`,
        value: c.measure,
        message: `${at}.measure: "${c.measure}" is not a measure in the catalogue.`,
      });
    }
    for (const year of c.years ?? ['*']) {
      const key = `${c.measure}|${c.breakdown}|${year}`;
      const other = targets.get(key);
      if (other !== undefined) {
        log.add('invalid_mapping_profile', {
          column: `${at}.column`,
          value: c.column,
          message: `${at}: columns "${other}" and "${c.column}" both map to ${c.measure} (${c.breakdown}); every school would get two values.`,
        });
      }
      targets.set(key, c.column);
    }
  });
  const problems = log.drain();
  return { profile: problems.length === 0 ? profile : null, problems };
}
