/** What a protocol shares, with whom, how, and for how long: the terms every party signs. */
export const DISCLOSURE_LEVELS = ['named', 'pseudonymised', 'aggregate'] as const;
export type DisclosureLevel = (typeof DISCLOSURE_LEVELS)[number];

export const MIN_GROUP_SIZE_FLOOR = 3;

/**
 * Scope categories that are records rather than measures (docs/targets.md §7, SPEC §6 terms):
 * an authority's targets and baselines, and its judgements of its schools. A partner may see them
 * only under a protocol whose scope names them; they compile into no measure grant.
 */
export const RECORD_CATEGORIES = ['targets', 'judgements'] as const;
export type RecordCategory = (typeof RECORD_CATEGORIES)[number];

export interface ProtocolTermsInput {
  title: string;
  purpose: string;
  /** Partner authorities; the owner is always a party too. */
  partyTenantIds: readonly string[];
  /** Measure categories in scope (e.g. `attainment`, `context`). */
  categories?: readonly string[];
  /** Measure codes in scope, on top of the categories. */
  measures?: readonly string[];
  /** Academic years as `2016/17` or EES periods as `201617`. */
  periodFrom: string;
  periodTo: string;
  /** School phases in scope (e.g. `secondary`); empty means every phase. */
  phases?: readonly string[];
  disclosure: DisclosureLevel;
  /** For `aggregate`: statistics only over at least this many schools (k ≥ 3). */
  minGroupSize?: number;
  /** Values whose cohort (denominator) is below this are served as `c`. */
  smallCohortThreshold?: number;
  /** ISO dates. */
  validFrom: string;
  validTo: string;
}

export interface ProtocolTerms {
  title: string;
  purpose: string;
  parties: string[];
  categories: string[];
  scopeMeasures: string[];
  /** The measure codes the scope resolves to. */
  measures: string[];
  /** The record categories in scope (targets, judgements). */
  records: RecordCategory[];
  periodFrom: number;
  periodTo: number;
  phases: string[];
  disclosure: DisclosureLevel;
  minGroupSize: number;
  smallCohortThreshold: number;
  validFrom: string;
  validTo: string;
}

/** The catalogue as far as scopes need it. */
export interface ScopeCatalogue {
  readonly measures: readonly { code: string; category: string; phases: readonly string[] }[];
}

/** Every problem with the terms, each naming its field. */
export class ProtocolTermsError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'ProtocolTermsError';
  }
}

const ACADEMIC_YEAR = /^(\d{4})\/(\d{2})$/;
const EES_PERIOD = /^(\d{4})(\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `2016/17` or `201617` → 201617; anything else (or 2016/18) → null. */
export function parseAcademicPeriod(text: string): number | null {
  const m = ACADEMIC_YEAR.exec(text.trim()) ?? EES_PERIOD.exec(text.trim());
  if (!m) return null;
  const start = Number(m[1]);
  if ((start + 1) % 100 !== Number(m[2])) return null;
  return start * 100 + Number(m[2]);
}

/** `201617` → `2016/17`. */
export function formatAcademicPeriod(period: number): string {
  return `${Math.floor(period / 100)}/${String(period % 100).padStart(2, '0')}`;
}

/**
 * Validates and normalises protocol terms: resolves the scope to measure codes, parses periods
 * and dates, puts the owner among the parties. Throws a ProtocolTermsError listing every problem.
 */
export function normaliseProtocolTerms(
  input: ProtocolTermsInput,
  ownerTenantId: string,
  catalogue: ScopeCatalogue,
): ProtocolTerms {
  const problems: { field: string; message: string }[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });

  const title = input.title.trim();
  if (title.length === 0 || title.length > 200)
    problem('title', 'give a title of 1 to 200 characters');
  const purpose = input.purpose.trim();
  if (purpose.length === 0) problem('purpose', 'say what the data will be used for');

  const parties = [...new Set([ownerTenantId, ...input.partyTenantIds])];
  if (parties.length < 2) {
    problem('partyTenantIds', 'name at least one partner authority besides your own');
  }

  const categories = [...new Set(input.categories ?? [])];
  const scopeMeasures = [...new Set(input.measures ?? [])];
  const knownCategories = new Set([
    ...catalogue.measures.map((m) => m.category),
    ...RECORD_CATEGORIES,
  ]);
  const records = RECORD_CATEGORIES.filter((r) => categories.includes(r));
  const knownCodes = new Set(catalogue.measures.map((m) => m.code));
  for (const c of categories) {
    if (!knownCategories.has(c)) {
      problem(
        'categories',
        `"${c}" is not a measure category (use one of ${[...knownCategories].join(', ')})`,
      );
    }
  }
  for (const code of scopeMeasures) {
    if (!knownCodes.has(code))
      problem('measures', `"${code}" is not in the measure catalogue (see the measures query)`);
  }
  const phases = [...new Set((input.phases ?? []).map((p) => p.trim().toLowerCase()))];
  if (phases.some((p) => p.length === 0)) problem('phases', 'a phase cannot be blank');
  // A category brings in the measures of the phases in scope only (no KS2 for secondaries);
  // a measure named by its code is always in.
  const ofPhases = (m: { phases: readonly string[] }) =>
    phases.length === 0 || m.phases.some((p) => phases.includes(p.toLowerCase()));
  const measures = catalogue.measures
    .filter(
      (m) => (categories.includes(m.category) && ofPhases(m)) || scopeMeasures.includes(m.code),
    )
    .map((m) => m.code);
  if (categories.length === 0 && scopeMeasures.length === 0) {
    problem('categories', 'name the measure categories or measure codes the protocol shares');
  } else if (measures.length === 0 && records.length === 0 && problems.length === 0) {
    problem('categories', 'the scope holds no measure of the phases in scope');
  }

  const periodFrom = parseAcademicPeriod(input.periodFrom);
  const periodTo = parseAcademicPeriod(input.periodTo);
  if (periodFrom === null)
    problem('periodFrom', `"${input.periodFrom}" is not a year like 2016/17`);
  if (periodTo === null) problem('periodTo', `"${input.periodTo}" is not a year like 2018/19`);
  if (periodFrom !== null && periodTo !== null && periodFrom > periodTo) {
    problem('periodTo', 'the last period comes before the first');
  }

  const minGroupSize = input.minGroupSize ?? MIN_GROUP_SIZE_FLOOR;
  if (!Number.isInteger(minGroupSize) || minGroupSize < MIN_GROUP_SIZE_FLOOR) {
    problem('minGroupSize', `must be a whole number of at least ${MIN_GROUP_SIZE_FLOOR}`);
  }
  const smallCohortThreshold = input.smallCohortThreshold ?? 0;
  if (!Number.isInteger(smallCohortThreshold) || smallCohortThreshold < 0) {
    problem('smallCohortThreshold', 'must be a whole number of pupils, 0 or more');
  }

  const validFrom = checkDate(input.validFrom, 'validFrom', problem);
  const validTo = checkDate(input.validTo, 'validTo', problem);
  if (validFrom && validTo && validFrom > validTo) {
    problem('validTo', 'the protocol ends before it starts');
  }

  if (problems.length > 0) throw new ProtocolTermsError(problems);
  return {
    title,
    purpose,
    parties,
    categories,
    scopeMeasures,
    measures,
    records,
    periodFrom: periodFrom!,
    periodTo: periodTo!,
    phases,
    disclosure: input.disclosure,
    minGroupSize,
    smallCohortThreshold,
    validFrom: validFrom!,
    validTo: validTo!,
  };
}

function checkDate(
  text: string,
  field: string,
  problem: (field: string, message: string) => void,
): string | null {
  const date = new Date(`${text}T00:00:00Z`);
  if (
    !ISO_DATE.test(text) ||
    Number.isNaN(date.getTime()) ||
    !date.toISOString().startsWith(text)
  ) {
    problem(field, `"${text}" is not a date like 2026-09-01`);
    return null;
  }
  return text;
}
