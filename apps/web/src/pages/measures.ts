import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';

/** The census context the profile shows, in SPEC §2's order. */
export const CONTEXT_MEASURES = [
  'pupils_on_roll',
  'fsm_ever_pct',
  'eal_pct',
  'sen_support_pct',
  'ehc_plan_pct',
] as const;

/** Headline outcomes by phase: what a governors' meeting looks at first. */
export const HEADLINE_MEASURES: Readonly<Record<string, readonly string[]>> = {
  primary: [
    'ks2_rwm_expected_pct',
    'ks2_rwm_higher_pct',
    'ks2_reading_progress',
    'ks2_writing_progress',
    'ks2_maths_progress',
  ],
  secondary: [
    'ks4_attainment8',
    'ks4_progress8',
    'ks4_english_maths_grade5_pct',
    'ks4_ebacc_entry_pct',
    'ks4_ebacc_aps',
  ],
};

/** EES symbols (SPEC §5) in words: a suppressed value is shown as its code and this, never 0. */
export const SUPPRESSION_MEANINGS: Readonly<Record<string, string>> = {
  c: 'confidential: suppressed to protect individuals',
  x: 'not available',
  z: 'not applicable',
  low: 'rounds to zero',
  u: 'low reliability',
};

export interface MeasureInfo {
  code: string;
  label: string;
  unit: string;
  decimals: number;
  polarity: string;
}

export function measureInfo(code: string): MeasureInfo {
  const m = MEASURE_CATALOGUE.measure(code);
  return {
    code,
    label: m?.label ?? code,
    unit: m?.unit ?? 'score',
    decimals: m?.decimals ?? 1,
    polarity: m?.polarity ?? 'neutral',
  };
}

/** The phase key of a register phase ("Primary", "Middle deemed secondary", …). */
export function phaseOf(phase: string | null): 'primary' | 'secondary' | null {
  const p = (phase ?? '').toLowerCase();
  if (p.includes('secondary') || p.includes('16 plus') || p === 'all-through') return 'secondary';
  if (p.includes('primary') || p.includes('infant') || p.includes('junior')) return 'primary';
  return null;
}

export function suppressionText(code: string | null): string {
  if (!code) return 'no value';
  return `${code} (${SUPPRESSION_MEANINGS[code] ?? 'suppressed'})`;
}
