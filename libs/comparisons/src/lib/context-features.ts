import { ComparisonInputError } from '@schoolbench/comparisons-core';

/** Reads one context measure of the current school (undefined when missing or suppressed). */
export type ContextMeasureReader = (measure: string) => number | undefined;

/**
 * A comparison feature (the code the methods of comparisons-core use) and how to derive it from
 * observations of the measure catalogue. Each mirrors the census feature of the same code, so a
 * population built from stored observations equals one built from the census file itself.
 */
export interface ContextFeature {
  readonly code: string;
  readonly label: string;
  /** Catalogue measures read (breakdown `all`, the run's period). */
  readonly measures: readonly string[];
  /** NaN when the value is missing or cannot be computed. */
  derive(read: ContextMeasureReader): number;
}

const orNaN = (value: number | undefined): number => value ?? Number.NaN;

const one = (code: string, label: string, measure: string): ContextFeature => ({
  code,
  label,
  measures: [measure],
  derive: (read) => orNaN(read(measure)),
});

/** Prior attainment of the tested cohort differs by phase; the feature code does not. */
export const PRIOR_ATTAINMENT_FEATURE = 'prior_attainment';
const PRIOR_ATTAINMENT_MEASURE: Readonly<Record<string, string>> = {
  primary: 'prior_attainment_ks1_aps',
  secondary: 'prior_attainment_ks2_aps',
};

const FEATURES: readonly ContextFeature[] = [
  one('pct_fsm_ever', '% FSM ever (disadvantaged)', 'fsm_ever_pct'),
  one('pct_eal', '% English as an additional language', 'eal_pct'),
  one('pct_sen_support', '% SEN support', 'sen_support_pct'),
  one('pct_ehc_plan', '% EHC plan or statement', 'ehc_plan_pct'),
  {
    code: 'ln_pupils',
    label: 'ln pupils on roll',
    measures: ['pupils_on_roll'],
    derive: (read) => {
      const pupils = read('pupils_on_roll');
      return pupils !== undefined && pupils > 0 ? Math.log(pupils) : Number.NaN;
    },
  },
  one('pupils', 'pupils on roll', 'pupils_on_roll'),
  {
    // As DfE's FBIT computes it (SPEC change log): current eligibility over pupils on roll.
    code: 'pct_fsm',
    label: '% FSM now',
    measures: ['fsm_count', 'pupils_on_roll'],
    derive: (read) => {
      const fsm = read('fsm_count');
      const pupils = read('pupils_on_roll');
      return fsm === undefined || pupils === undefined || pupils <= 0
        ? Number.NaN
        : (fsm / pupils) * 100;
    },
  },
  {
    code: 'pct_sen',
    label: '% SEN (EHC plan + SEN support)',
    measures: ['ehc_plan_pct', 'sen_support_pct'],
    derive: (read) => {
      const ehc = read('ehc_plan_pct');
      const support = read('sen_support_pct');
      return ehc === undefined || support === undefined ? Number.NaN : ehc + support;
    },
  },
];

/** The features available for a phase: the census ones, plus prior attainment where it exists. */
export function contextFeatures(phase: string): ContextFeature[] {
  const prior = PRIOR_ATTAINMENT_MEASURE[phase];
  return prior
    ? [...FEATURES, one(PRIOR_ATTAINMENT_FEATURE, 'prior attainment of the cohort', prior)]
    : [...FEATURES];
}

export function contextFeature(phase: string, code: string): ContextFeature {
  const available = contextFeatures(phase);
  const feature = available.find((f) => f.code === code);
  if (!feature) {
    throw new ComparisonInputError(
      `No context feature "${code}" for ${phase} schools (available: ${available.map((f) => f.code).join(', ')})`,
    );
  }
  return feature;
}
