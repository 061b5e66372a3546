// The DfE performance-table vocabulary the measure catalogue is generated from: how a column
// name splits into a measure stem, a pupil group, a confidence limit and an earlier year, and
// what each stem means. Reviewed by hand; `generate-measure-catalogue.mjs` applies it to every
// column of DfE's meta files and data headers and fails on any column it cannot place.

/** Columns that describe the school or the row, never a measure (per format). */
export const SCHOOL_DETAILS = {
  'dfe-ks2': [
    'RECTYPE',
    'ALPHAIND',
    'LEA',
    'ESTAB',
    'URN',
    'SCHNAME',
    'ADDRESS1',
    'ADDRESS2',
    'ADDRESS3',
    'TOWN',
    'PCODE',
    'PCODE2',
    'TELNUM',
    'PCON_CODE',
    'PCON_NAME',
    'URN_AC',
    'SCHNAME_AC',
    'OPEN_AC',
    'NFTYPE',
    'ICLOSE',
    'RELDENOM',
    'AGERANGE',
    'CONFEXAM',
    'TAB15',
    'TAB1618',
    'OFSTEDRATING',
    'INSPECTIONDT',
    'WEB',
    'SCHTYPE',
    'GENDER',
    'RELIGION',
    'LATITUDE',
    'LONGITUDE',
    'COLOUR1',
    'COLOUR2',
    'PHASE',
  ],
  'dfe-ks4': [
    'RECTYPE',
    'ALPHAIND',
    'LEA',
    'ESTAB',
    'URN',
    'SCHNAME',
    'SCHNAME_AC',
    'ADDRESS1',
    'ADDRESS2',
    'ADDRESS3',
    'TOWN',
    'PCODE',
    'PCODE2',
    'TELNUM',
    'CONTFLAG',
    'ICLOSE',
    'NFTYPE',
    'RELDENOM',
    'ADMPOL',
    'ADMPOL_18',
    'ADMPOL_2017',
    'EGENDER',
    'FEEDER',
    'TABKS2',
    'TAB1618',
    'AGERANGE',
    'CONFEXAM',
    'OFSTEDRATING',
    'INSPECTIONDT',
    'WEB',
    'SCHTYPE',
    'GRAMMAR',
    'GENDER',
    'RELIGION',
    'LATITUDE',
    'LONGITUDE',
    'COLOUR1',
    'COLOUR2',
    'PHASE',
  ],
  'dfe-census': ['URN', 'LA', 'ESTAB', 'SCHOOLTYPE'],
  'dfe-absence': ['LA', 'ESTAB', 'URN'],
  'dfe-cfr': ['LA', 'URN', 'LONDON/NON-LONDON', 'MEDIAN', 'FSMBAND'],
  'national-extract-ks2': ['URN', 'Academic Year'],
  'national-extract-ks4': ['URN', 'Academic Year'],
};

/** Why a school-details column is not stored (shown in the catalogue and the import report). */
export const SCHOOL_DETAILS_REASON =
  'School details (identity, address, type, flags, banding labels): the school register and row identity, not a measure.';

/**
 * KS2 and KS4 cohort context: explicit column → [measure, breakdown], because DfE names these
 * columns without a regular grammar (`TKS1GROUP_L`, `SENAPK4`, `TNMOB`).
 */
export const COHORT_COLUMNS = {
  'dfe-ks2': {
    TOTPUPS: ['ks2_school_pupils', 'all'],
    TPUPYEAR: ['ks2_pupils_aged_11', 'all'],
    TELIG: ['cohort_pupils', 'all'],
    BELIG: ['cohort_pupils', 'boys'],
    GELIG: ['cohort_pupils', 'girls'],
    PBELIG: ['cohort_group_pct', 'boys'],
    PGELIG: ['cohort_group_pct', 'girls'],
    TKS1AVERAGE: ['prior_attainment_ks1_aps', 'all'],
    TKS1GROUP_L: ['cohort_pupils', 'prior_low'],
    TKS1GROUP_M: ['cohort_pupils', 'prior_middle'],
    TKS1GROUP_H: ['cohort_pupils', 'prior_high'],
    TKS1GROUP_NA: ['cohort_pupils', 'prior_unknown'],
    PTKS1GROUP_L: ['cohort_group_pct', 'prior_low'],
    PTKS1GROUP_M: ['cohort_group_pct', 'prior_middle'],
    PTKS1GROUP_H: ['cohort_group_pct', 'prior_high'],
    PTKS1GROUP_NA: ['cohort_group_pct', 'prior_unknown'],
    TFSM6CLA1A: ['cohort_pupils', 'disadvantaged'],
    PTFSM6CLA1A: ['cohort_disadvantaged_pct', 'all'],
    TNOTFSM6CLA1A: ['cohort_pupils', 'not_disadvantaged'],
    PTNOTFSM6CLA1A: ['cohort_group_pct', 'not_disadvantaged'],
    TEALGRP1: ['cohort_pupils', 'english_first_language'],
    PTEALGRP1: ['cohort_group_pct', 'english_first_language'],
    TEALGRP2: ['cohort_pupils', 'eal'],
    PTEALGRP2: ['cohort_eal_pct', 'all'],
    TEALGRP3: ['cohort_pupils', 'language_unclassified'],
    PTEALGRP3: ['cohort_group_pct', 'language_unclassified'],
    TMOBN: ['cohort_pupils', 'non_mobile'],
    PTMOBN: ['non_mobile_pct', 'all'],
    TSENELE: ['cohort_pupils', 'sen_ehc_plan'],
    PSENELE: ['cohort_group_pct', 'sen_ehc_plan'],
    TSENELK: ['cohort_pupils', 'sen_support'],
    PSENELK: ['cohort_group_pct', 'sen_support'],
    TSENELEK: ['cohort_pupils', 'sen'],
    PSENELEK: ['cohort_group_pct', 'sen'],
    // 2016/17 still counted statements and the old School Action categories.
    TSENELSE: ['cohort_pupils', 'sen_statement_or_ehc_plan'],
    PSENELSE: ['cohort_group_pct', 'sen_statement_or_ehc_plan'],
    TSENELAPK: ['cohort_pupils', 'sen_without_statement_or_ehc_plan'],
    PSENELSAPK: ['cohort_group_pct', 'sen_without_statement_or_ehc_plan'],
    TSENELST: ['cohort_pupils', 'sen_statement'],
    PSENELST: ['cohort_group_pct', 'sen_statement'],
    TSENELSAP: ['cohort_pupils', 'sen_school_action_plus'],
    PSENELSAP: ['cohort_group_pct', 'sen_school_action_plus'],
    SENELN: ['cohort_pupils', 'sen_school_action'],
    PSENELN: ['cohort_group_pct', 'sen_school_action'],
  },
  'dfe-ks4': {
    TOTPUPS: ['ks4_school_pupils', 'all'],
    NUMBOYS: ['ks4_school_pupils', 'boys'],
    NUMGIRLS: ['ks4_school_pupils', 'girls'],
    TPUP: ['cohort_pupils', 'all'],
    BPUP: ['cohort_pupils', 'boys'],
    PBPUP: ['cohort_group_pct', 'boys'],
    GPUP: ['cohort_pupils', 'girls'],
    PGPUP: ['cohort_group_pct', 'girls'],
    KS2APS: ['prior_attainment_ks2_aps', 'all'],
    TPRIORLO: ['cohort_pupils', 'prior_low'],
    PTPRIORLO: ['cohort_group_pct', 'prior_low'],
    TPRIORAV: ['cohort_pupils', 'prior_middle'],
    PTPRIORAV: ['cohort_group_pct', 'prior_middle'],
    TPRIORHI: ['cohort_pupils', 'prior_high'],
    PTPRIORHI: ['cohort_group_pct', 'prior_high'],
    TFSM6CLA1A: ['cohort_pupils', 'disadvantaged'],
    PTFSM6CLA1A: ['cohort_disadvantaged_pct', 'all'],
    TNOTFSM6CLA1A: ['cohort_pupils', 'not_disadvantaged'],
    PTNOTFSM6CLA1A: ['cohort_group_pct', 'not_disadvantaged'],
    TEALGRP1: ['cohort_pupils', 'english_first_language'],
    PTEALGRP1: ['cohort_group_pct', 'english_first_language'],
    TEALGRP2: ['cohort_pupils', 'eal'],
    PTEALGRP2: ['cohort_eal_pct', 'all'],
    TEALGRP3: ['cohort_pupils', 'language_unclassified'],
    PTEALGRP3: ['cohort_group_pct', 'language_unclassified'],
    TNMOB: ['cohort_pupils', 'non_mobile'],
    PTNMOB: ['non_mobile_pct', 'all'],
    SENSE4: ['cohort_pupils', 'sen_ehc_plan'],
    PSENSE4: ['cohort_group_pct', 'sen_ehc_plan'],
    SENAPK4: ['cohort_pupils', 'sen_support'],
    PSENAPK4: ['cohort_group_pct', 'sen_support'],
    SEN_ALL: ['cohort_pupils', 'sen'],
    PSEN_ALL: ['cohort_group_pct', 'sen'],
  },
};

/** Group cohort (denominator) column per format and breakdown. */
export const COHORT_DENOMINATORS = {
  'dfe-ks2': {
    all: 'TELIG',
    boys: 'BELIG',
    girls: 'GELIG',
    prior_low: 'TKS1GROUP_L',
    prior_middle: 'TKS1GROUP_M',
    prior_high: 'TKS1GROUP_H',
    disadvantaged: 'TFSM6CLA1A',
    not_disadvantaged: 'TNotFSM6CLA1A',
    eal: 'TEALGRP2',
    non_mobile: 'TMOBN',
  },
  'dfe-ks4': {
    all: 'TPUP',
    boys: 'BPUP',
    girls: 'GPUP',
    prior_low: 'TPRIORLO',
    prior_middle: 'TPRIORAV',
    prior_high: 'TPRIORHI',
    disadvantaged: 'TFSM6CLA1A',
    not_disadvantaged: 'TNOTFSM6CLA1A',
    eal: 'TEALGRP2',
    non_mobile: 'TNMOB',
  },
};

const P8_DENOMINATORS = {
  all: 'P8PUP',
  disadvantaged: 'P8PUP_FSM6CLA1A',
  not_disadvantaged: 'P8PUP_NFSM6CLA1A',
  prior_low: 'P8PUP_LO',
  prior_middle: 'P8PUP_AV',
  prior_high: 'P8PUP_HI',
  eal: 'P8PUP_EAL',
  girls: 'P8PUP_GIRLS',
  boys: 'P8PUP_BOYS',
  non_mobile: 'P8PUP_NMOB',
};

/**
 * Splits a KS2/KS4 column into stem, breakdown, confidence limit, `_ORIG` and earlier year.
 * Order matters: years first (`_17`, `__16`, `_3YR`), then limits, then pupil groups.
 */
export function splitColumn(format, column) {
  let name = column;
  let year = null;
  let threeYear = false;
  const yearSuffix = /_{1,2}(1[4-9])(?=_PTQ_EE$|_PTQ$|$)/;
  const m = name.match(yearSuffix);
  if (m) {
    year = Number(`20${m[1]}`);
    name = name.replace(yearSuffix, '');
  } else if (/_3YR$/.test(name)) {
    threeYear = true;
    name = name.replace(/_3YR$/, '');
  } else if (/^AC5EM1[4-6]/.test(name)) {
    year = Number(`20${name.slice(5, 7)}`);
    name = 'AC5EM' + name.slice(7);
  } else if (/_DESCR_(1[4-9])$/.test(name)) {
    year = Number(`20${name.slice(-2)}`);
    name = name.slice(0, -3);
  }
  let ci = null;
  const orig = /_ORIG$/.test(name);
  if (orig) name = name.replace(/_ORIG$/, '');
  let breakdown = 'all';
  const take = (re, b) => {
    if (breakdown === 'all' && re.test(name)) {
      breakdown = b;
      name = name.replace(re, '');
    }
  };
  if (format === 'dfe-ks2') {
    if (/_LOWER$/.test(name)) ci = 'lower';
    if (/_UPPER$/.test(name)) ci = 'upper';
    name = name.replace(/_(LOWER|UPPER)$/, '');
    take(/_NotFSM6CLA1A$/i, 'not_disadvantaged');
    take(/_FSM6CLA1A$/, 'disadvantaged');
    take(/_EAL$/, 'eal');
    take(/_MOBN$/, 'non_mobile');
    take(/_B$/, 'boys');
    take(/_G$/, 'girls');
    take(/_L$/, 'prior_low');
    take(/_M$/, 'prior_middle');
    take(/_H$/, 'prior_high');
  } else {
    take(/N(OT)?FSM(6CLA1A)?(?=_|$|BASICS)/i, 'not_disadvantaged');
    take(/FSM6CLA1A(?=_|$|BASICS)/, 'disadvantaged');
    take(/EAL(?=_|$)/, 'eal');
    take(/NMOB(?=_|$)/, 'non_mobile');
    take(/_GIRLS(?=_|$)/, 'girls');
    take(/_BOYS(?=_|$)/, 'boys');
    take(/(?<=[A-Z0-9_])LO(?=_|$)/, 'prior_low');
    take(/(?<=[A-Z0-9_])AV(?=_|$)/, 'prior_middle');
    take(/(?<=[A-Z0-9_])HI(?=_|$)/, 'prior_high');
    if (breakdown === 'all' && /^P[BG](L2|EBACC)/.test(name)) {
      breakdown = name[1] === 'B' ? 'boys' : 'girls';
      name = 'PT' + name.slice(2);
    }
    name = name
      .replace(/__+/g, '_')
      .replace(/_$/, '')
      .replace(/^PT(FSM|NOTFSM)?BASICS/, 'PTL2BASICS');
    if (/_CILOW$|CILOW$|VALOW/.test(name)) ci = 'lower';
    if (/_CIUPP$|CIUPP$|VAUPP/.test(name)) ci = 'upper';
    name = name
      .replace(/_CI(LOW|UPP)$/, '')
      .replace(/^P8CI(LOW|UPP)$/, 'P8MEA')
      .replace(/VA(LOW|UPP)/, 'VAMEA');
  }
  if (orig) name = `${name}_ORIG`;
  return { stem: name, breakdown, ci, year, threeYear };
}

// [stem, code, unit, polarity, category, decimals]
const pct = (code, polarity = 'higher_better', category = 'attainment') => [
  code,
  'percent',
  polarity,
  category,
  0,
];
const score = (code, decimals = 1, polarity = 'higher_better', category = 'attainment') => [
  code,
  'score',
  polarity,
  category,
  decimals,
];
const count = (code, category = 'attainment') => [code, 'count', 'neutral', category, 0];

/** Measure stems of KS2 files (after splitColumn). */
export const KS2_STEMS = {
  PTRWM_EXP: pct('ks2_rwm_expected_pct'),
  PTRWM_HIGH: pct('ks2_rwm_higher_pct'),
  READPROG: score('ks2_reading_progress', 1, 'higher_better', 'progress'),
  WRITPROG: score('ks2_writing_progress', 1, 'higher_better', 'progress'),
  MATPROG: score('ks2_maths_progress', 1, 'higher_better', 'progress'),
  READPROG_UNADJUSTED: score('ks2_reading_progress_unadjusted', 1, 'higher_better', 'progress'),
  WRITPROG_UNADJUSTED: score('ks2_writing_progress_unadjusted', 1, 'higher_better', 'progress'),
  MATPROG_UNADJUSTED: score('ks2_maths_progress_unadjusted', 1, 'higher_better', 'progress'),
  READPROG_DESCR: score('ks2_reading_progress_band', 0, 'higher_better', 'progress'),
  WRITPROG_DESCR: score('ks2_writing_progress_band', 0, 'higher_better', 'progress'),
  MATPROG_DESCR: score('ks2_maths_progress_band', 0, 'higher_better', 'progress'),
  READCOV: pct('ks2_reading_progress_coverage_pct', 'neutral', 'progress'),
  WRITCOV: pct('ks2_writing_progress_coverage_pct', 'neutral', 'progress'),
  MATCOV: pct('ks2_maths_progress_coverage_pct', 'neutral', 'progress'),
  PTREAD_EXP: pct('ks2_reading_expected_pct'),
  PTREAD_HIGH: pct('ks2_reading_higher_pct'),
  PTREAD_AT: pct('ks2_reading_absent_pct', 'neutral'),
  READ_AVERAGE: score('ks2_reading_scaled_score', 0),
  PTGPS_EXP: pct('ks2_gps_expected_pct'),
  PTGPS_HIGH: pct('ks2_gps_higher_pct'),
  PTGPS_AT: pct('ks2_gps_absent_pct', 'neutral'),
  GPS_AVERAGE: score('ks2_gps_scaled_score', 0),
  PTMAT_EXP: pct('ks2_maths_expected_pct'),
  PTMAT_HIGH: pct('ks2_maths_higher_pct'),
  PTMAT_AT: pct('ks2_maths_absent_pct', 'neutral'),
  MAT_AVERAGE: score('ks2_maths_scaled_score', 0),
  PTWRITTA_EXP: pct('ks2_writing_expected_pct'),
  PTWRITTA_HIGH: pct('ks2_writing_greater_depth_pct'),
  PTWRITTA_WTS: pct('ks2_writing_working_towards_pct', 'neutral'),
  PTWRITTA_AD: pct('ks2_writing_absent_pct', 'neutral'),
  PTSCITA_EXP: pct('ks2_science_ta_expected_pct'),
  PTSCITA_AD: pct('ks2_science_ta_absent_pct', 'neutral'),
  PTREADTA_EXP: pct('ks2_reading_ta_expected_pct'),
  PTREADTA_AD: pct('ks2_reading_ta_absent_pct', 'neutral'),
  PTMATTA_EXP: pct('ks2_maths_ta_expected_pct'),
  PTMATTA_AD: pct('ks2_maths_ta_absent_pct', 'neutral'),
  DIFFN_RWM_EXP: score('ks2_rwm_expected_disadvantaged_gap', 0),
  DIFFN_RWM_HIGH: score('ks2_rwm_higher_disadvantaged_gap', 0),
  DIFFN_READPROG: score('ks2_reading_progress_disadvantaged_gap', 1, 'higher_better', 'progress'),
  DIFFN_WRITPROG: score('ks2_writing_progress_disadvantaged_gap', 1, 'higher_better', 'progress'),
  DIFFN_MATPROG: score('ks2_maths_progress_disadvantaged_gap', 1, 'higher_better', 'progress'),
};

const PILLARS = {
  ENG: 'english',
  MAT: 'maths',
  '2SCI': 'science',
  HUM: 'humanities',
  LAN: 'languages',
};

function ks4Stems() {
  const s = {
    ATT8SCR: score('ks4_attainment8'),
    ATT8SCRENG: score('ks4_attainment8_english'),
    ATT8SCRMAT: score('ks4_attainment8_maths'),
    ATT8SCREBAC: score('ks4_attainment8_ebacc'),
    ATT8SCROPEN: score('ks4_attainment8_open'),
    ATT8SCROPENG: score('ks4_attainment8_open_gcse'),
    ATT8SCROPENNG: score('ks4_attainment8_open_non_gcse'),
    TOTATT8: score('ks4_attainment8_total_points', 0),
    TOTATT8ENG: score('ks4_attainment8_english_total_points', 0),
    TOTATT8MAT: score('ks4_attainment8_maths_total_points', 0),
    TOTATT8EBAC: score('ks4_attainment8_ebacc_total_points', 0),
    TOTATT8OPEN: score('ks4_attainment8_open_total_points', 0),
    TOTATT8OPENG: score('ks4_attainment8_open_gcse_total_points', 0),
    TOTATT8OPENNG: score('ks4_attainment8_open_non_gcse_total_points', 0),
    AVGEBACFILL: score('ks4_ebacc_slots_filled_avg', 2, 'neutral', 'context'),
    AVGOPENFILL: score('ks4_open_slots_filled_avg', 2, 'neutral', 'context'),
    P8PUP: count('ks4_progress8_pupils', 'progress'),
    TP8ADJ: count('ks4_progress8_adjusted_pupils', 'progress'),
    P8MEACOV: pct('ks4_progress8_coverage_pct', 'neutral', 'progress'),
    P8MEA: score('ks4_progress8', 2, 'higher_better', 'progress'),
    P8MEA_ORIG: score('ks4_progress8_unadjusted', 2, 'higher_better', 'progress'),
    P8MEAENG: score('ks4_progress8_english', 2, 'higher_better', 'progress'),
    P8MEAMAT: score('ks4_progress8_maths', 2, 'higher_better', 'progress'),
    P8MEAEBAC: score('ks4_progress8_ebacc', 2, 'higher_better', 'progress'),
    P8MEAOPEN: score('ks4_progress8_open', 2, 'higher_better', 'progress'),
    P8_BANDING: score('ks4_progress8_band', 0, 'higher_better', 'progress'),
    PTL2BASICS_94: pct('ks4_english_maths_grade4_pct'),
    PTL2BASICS_95: pct('ks4_english_maths_grade5_pct'),
    PTL2BASICS: pct('ks4_english_maths_grade_c_pct'),
    TBASICS_94: count('ks4_english_maths_grade4_pupils'),
    TBASICS_95: count('ks4_english_maths_grade5_pupils'),
    PT5EM_94: pct('ks4_five_gcses_english_maths_grade4_pct'),
    AC5EM: pct('ks4_five_gcses_english_maths_grade_c_pct'),
    TOTEBACCAPS: score('ks4_ebacc_aps_total_points', 2),
    EBACCAPS: score('ks4_ebacc_aps', 2),
    TEBACC_E_PTQ_EE: count('ks4_ebacc_entry_pupils'),
    PTEBACC_E_PTQ_EE: pct('ks4_ebacc_entry_pct'),
    PTEBACC_PTQ_EE: pct('ks4_ebacc_achieved_pct'),
    PTEBACC_94: pct('ks4_ebacc_grade4_pct'),
    PTEBACC_95: pct('ks4_ebacc_grade5_pct'),
    TEBACC91: count('ks4_ebacc_grade1_pupils'),
    PTEBACC91: pct('ks4_ebacc_grade1_pct'),
    PTANYQ_PTQ_EE: pct('ks4_any_qualification_pct'),
    PTMULTILAN_E: pct('ks4_multiple_languages_entry_pct', 'neutral'),
    PTTRIPLESCI_E: pct('ks4_triple_science_entry_pct', 'neutral'),
    TAVENT_E_3NG_PTQ_EE: score('ks4_gcse_and_equivalent_entries_avg', 1, 'neutral', 'context'),
    TAVENT_G_PTQ_EE: score('ks4_gcse_entries_avg', 1, 'neutral', 'context'),
    TAVENT_E_PTQ_EE: score('ks4_gcse_and_equivalent_entries_avg', 1, 'neutral', 'context'),
    DIFFN_ATT8: score('ks4_attainment8_disadvantaged_gap'),
    DIFFN_P8MEA: score('ks4_progress8_disadvantaged_gap', 2, 'higher_better', 'progress'),
  };
  for (const [key, pillar] of Object.entries(PILLARS)) {
    s[`TEBAC${key}_E_PTQ_EE`] = count(`ks4_ebacc_${pillar}_entry_pupils`);
    s[`PTEBAC${key}_E_PTQ_EE`] = pct(`ks4_ebacc_${pillar}_entry_pct`);
    s[`TEBAC${key}_94`] = count(`ks4_ebacc_${pillar}_grade4_pupils`);
    s[`TEBAC${key}_95`] = count(`ks4_ebacc_${pillar}_grade5_pupils`);
    s[`PTEBAC${key}_94`] = pct(`ks4_ebacc_${pillar}_grade4_pct`);
    s[`PTEBAC${key}_95`] = pct(`ks4_ebacc_${pillar}_grade5_pct`);
    s[`TEBAC${key}91`] = count(`ks4_ebacc_${pillar}_grade1_pupils`);
    s[`PTEBAC${key}91`] = pct(`ks4_ebacc_${pillar}_grade1_pct`);
    s[`TEBAC${key}_PTQ_EE`] = count(`ks4_ebacc_${pillar}_achieved_pupils`);
    s[`PTEBAC${key}_PTQ_EE`] = pct(`ks4_ebacc_${pillar}_achieved_pct`);
    s[`TEBAC${key}AG_PTQ_EE`] = count(`ks4_ebacc_${pillar}_grade_g_pupils`);
    s[`PTEBAC${key}AG_PTQ_EE`] = pct(`ks4_ebacc_${pillar}_grade_g_pct`);
  }
  for (const [key, subject] of [
    ['SCI', 'science'],
    ['HUM', 'humanities'],
    ['LAN', 'languages'],
  ]) {
    s[`${key}VACOV_PTQ_EE`] = pct(`ks4_${subject}_value_added_coverage_pct`, 'neutral', 'progress');
    s[`${key}VAMEA_PTQ_EE`] = score(`ks4_${subject}_value_added`, 2, 'higher_better', 'progress');
  }
  return s;
}
export const KS4_STEMS = ks4Stems();

export const KS_DENOMINATORS = {
  'dfe-ks2': COHORT_DENOMINATORS['dfe-ks2'],
  'dfe-ks4': COHORT_DENOMINATORS['dfe-ks4'],
};
export const PROGRESS8_DENOMINATORS = P8_DENOMINATORS;

/** Census, absence and CFR: explicit column → [measure, breakdown] (few columns, no grammar). */
export const FLAT_COLUMNS = {
  'dfe-census': {
    NOR: ['pupils_on_roll', 'all'],
    NORG: ['pupils_on_roll', 'girls'],
    NORB: ['pupils_on_roll', 'boys'],
    PNORG: ['pupil_group_pct', 'girls'],
    PNORB: ['pupil_group_pct', 'boys'],
    TSENELSE: ['pupil_group_count', 'sen_ehc_plan'],
    PSENELSE: ['ehc_plan_pct', 'all'],
    TSENELK: ['pupil_group_count', 'sen_support'],
    PSENELK: ['sen_support_pct', 'all'],
    NUMEAL: ['pupil_group_count', 'eal'],
    NUMENGFL: ['pupil_group_count', 'english_first_language'],
    NUMUNCFL: ['pupil_group_count', 'language_unclassified'],
    PNUMEAL: ['eal_pct', 'all'],
    PNUMENGFL: ['pupil_group_pct', 'english_first_language'],
    PNUMUNCFL: ['pupil_group_pct', 'language_unclassified'],
    NUMFSM: ['fsm_count', 'all'],
    PNUMFSM: ['fsm_pct', 'all'],
    NUMFSMEVER: ['pupil_group_count', 'disadvantaged'],
    PNUMFSMEVER: ['fsm_ever_pct', 'all'],
  },
  'dfe-absence': {
    PERCTOT: ['overall_absence_pct', 'all'],
    PPERSABS10: ['persistent_absence_pct', 'all'],
  },
};

export const CFR_CATEGORIES = {
  GRANTFUNDING: 'grant_funding',
  SELFGENERATEDINCOME: 'self_generated_income',
  TOTALINCOME: 'total_income',
  TEACHINGSTAFF: 'teaching_staff',
  SUPPLYTEACHERS: 'supply_staff',
  EDUCATIONSUPPORTSTAFF: 'education_support_staff',
  PREMISES: 'premises',
  BACKOFFICE: 'back_office',
  CATERING: 'catering',
  OTHERSTAFF: 'other_staff_costs',
  ENERGY: 'energy',
  LEARNINGRESOURCES: 'learning_resources',
  ICT: 'ict',
  BOUGHTINPROFESSIONALSERVICES: 'bought_in_professional_services',
  OTHER: 'other_expenditure',
  TOTALEXPENDITURE: 'total_expenditure',
};

/** CFR five-year trend categories (TyyyyCATn), as DfE's meta file names them. */
export const CFR_TREND_CATEGORIES = {
  1: 'teaching_and_support_staff',
  2: 'supply_staff',
  3: 'back_office',
  4: 'energy',
  5: 'total_expenditure',
};

/** Labels for measures whose DfE description names one pupil group only. */
export const LABELS = {
  cohort_pupils: 'Pupils in the key stage cohort (eligible / end of key stage), by pupil group',
  cohort_group_pct: 'Share of the key stage cohort in a pupil group (%)',
  pupil_group_count: 'Pupils on roll in a pupil group (school census)',
  pupil_group_pct: 'Share of pupils on roll in a pupil group (school census, %)',
  ks4_english_maths_grade4_pupils: 'Pupils achieving grade 4 or above in English and maths GCSEs',
  ks4_english_maths_grade5_pupils: 'Pupils achieving grade 5 or above in English and maths GCSEs',
  ks4_progress8_pupils: 'Pupils included in the Progress 8 measure',
};

/**
 * DfE's 2015/16 KS2 and KS4 files are not held here (no meta files either); their columns are
 * read with the 2016/17 vocabulary, which DfE kept for the measures both years publish.
 */
export const ASSUMED_YEARS = { 'dfe-ks2': { 201516: '201617' }, 'dfe-ks4': { 201516: '201617' } };
