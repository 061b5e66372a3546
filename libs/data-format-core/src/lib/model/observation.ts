/**
 * The canonical model every adapter produces. An observation is one number (or one EES
 * suppression symbol) for one school, measure, period and pupil group. The database pipeline
 * adds the tenant and dataset version; nothing here knows about either.
 */

/** EES `time_identifier` values the product stores (SPEC §5). */
export const TIME_IDENTIFIERS = ['Academic year', 'Financial year'] as const;
export type TimeIdentifier = (typeof TIME_IDENTIFIERS)[number];

/** EES convention: `201718` + `Academic year`; finance uses `Financial year` (`201819` = April 2018 to March 2019). */
export interface Period {
  readonly timePeriod: string;
  readonly timeIdentifier: TimeIdentifier;
}

/**
 * EES symbols: `c` confidential (suppressed), `x` not available, `z` not applicable,
 * `low` rounds to zero, `u` low reliability.
 */
export const SUPPRESSION_CODES = ['c', 'x', 'z', 'low', 'u'] as const;
export type SuppressionCode = (typeof SUPPRESSION_CODES)[number];

/** Pupil groups named by SPEC §5; `non_mobile` is the first extension (DfE publishes it for KS2 and KS4). */
export const BREAKDOWNS = [
  'all',
  'disadvantaged',
  'not_disadvantaged',
  'boys',
  'girls',
  'eal',
  'sen',
  'prior_low',
  'prior_middle',
  'prior_high',
  'non_mobile',
] as const;
export type KnownBreakdown = (typeof BREAKDOWNS)[number];
/** Breakdowns are extensible: any snake_case code is accepted, the known ones are listed above. */
export type Breakdown = KnownBreakdown | (string & Record<never, never>);

export function isBreakdownCode(value: string): boolean {
  return /^[a-z][a-z0-9_]{0,62}$/.test(value);
}

/** Exactly one of `value` and `suppression` is set, so a suppressed cell can never become 0 or null. */
export type ObservationValue =
  | { readonly value: number; readonly suppression: null }
  | { readonly value: null; readonly suppression: SuppressionCode };

interface MeasuredValue {
  readonly measure: string;
  readonly period: Period;
  readonly breakdown: Breakdown;
  /** Cohort the value is about (denominator), when the file gives it. */
  readonly denominator?: number;
  /** Pupils counted (numerator), when the file gives it. */
  readonly numerator?: number;
  /** Column the value came from, for the validation report and lineage. */
  readonly sourceColumn: string;
  /** The raw cell when it was a code (`SUPP`, `NE`, ...), so the mapping can be audited. */
  readonly sourceCode?: string;
}

export type Observation = MeasuredValue & ObservationValue & { readonly urn: string };

export type AreaLevel = 'national' | 'regional' | 'local_authority' | 'other';

/** Where a summary row belongs: DfE LA and national rows, EES non-school geographic levels. */
export interface Area {
  readonly level: AreaLevel;
  /** DfE LA code (e.g. `850`), ONS code for other levels, `E92000001` for England. */
  readonly code: string;
  readonly name?: string;
  /**
   * What the row summarises within the area, e.g. `all schools`, `state-funded`, `PRI`,
   * `London-Primary-Low FSM`; empty when the row is the plain total.
   */
  readonly variant: string;
  /** EES geographic_level as published (`Local authority district`, ...), for levels mapped to `other`. */
  readonly publishedLevel?: string;
}

/** LA, regional and national rows: never mixed with school observations. */
export type SummaryObservation = MeasuredValue & ObservationValue & { readonly area: Area };

export interface SchoolRecord {
  readonly urn: string;
  /** 7 digits: LA code + establishment number. */
  readonly laestab?: string;
  readonly name?: string;
  readonly laCode?: string;
  readonly phase?: string;
  readonly type?: string;
  /** ISO dates (yyyy-mm-dd) when the file has them. */
  readonly openDate?: string;
  readonly closeDate?: string;
}

export interface LocalAuthorityRecord {
  readonly code: string;
  readonly name: string;
  readonly regionCode?: string;
  readonly regionName?: string;
}

/** A DfE column definition read from a `*_meta.csv` file. */
export interface ColumnDefinition {
  readonly column: string;
  readonly label: string;
  readonly description?: string;
  /** Record types the meta file says leave this field empty (DfE "Null field for ..."). */
  readonly nullFor: readonly ('special' | 'local_authority' | 'national')[];
  /** Codes the description defines, e.g. `NEW` → `New school with no eligible pupils`. */
  readonly specialValues: Readonly<Record<string, string>>;
}

export interface MethodologyNote {
  readonly title: string;
  readonly text: string;
}

export function observationKey(o: {
  readonly measure: string;
  readonly period: Period;
  readonly breakdown: string;
}): string {
  return `${o.measure}|${o.period.timePeriod}|${o.period.timeIdentifier}|${o.breakdown}`;
}
