/**
 * SchoolBench measure catalogue, version 2026.1: data, validated by `MeasureCatalogue.fromJson`
 * when it loads. Kept as a TypeScript module rather than a .json file because the swc build
 * (`npm run build`) does not copy JSON into dist. A new version is a new file
 * (`measure-catalogue-v2.ts`); measure codes are never reused with another meaning.
 */
export const MEASURE_CATALOGUE_V1: unknown = {
  version: '2026.1',
  description:
    'SchoolBench measure catalogue: one entry per measure, with the columns that feed it in each supported file format. Years are EES time_period values; a source without years applies to every year.',
  measures: [
    {
      code: 'ks2_rwm_expected_pct',
      label: 'Pupils meeting the expected standard in reading, writing and maths (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTRWM_EXP',
            boys: 'PTRWM_EXP_B',
            girls: 'PTRWM_EXP_G',
            prior_low: 'PTRWM_EXP_L',
            prior_middle: 'PTRWM_EXP_M',
            prior_high: 'PTRWM_EXP_H',
            disadvantaged: 'PTRWM_EXP_FSM6CLA1A',
            not_disadvantaged: 'PTRWM_EXP_NotFSM6CLA1A',
            eal: 'PTRWM_EXP_EAL',
            non_mobile: 'PTRWM_EXP_MOBN',
          },
          denominators: {
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
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Overall Meet Std',
          },
          denominators: {
            all: 'KS2 Pupils',
          },
        },
      ],
    },
    {
      code: 'ks2_rwm_higher_pct',
      label: 'Pupils achieving a higher standard in reading, writing and maths (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTRWM_HIGH',
            boys: 'PTRWM_HIGH_B',
            girls: 'PTRWM_HIGH_G',
            prior_low: 'PTRWM_HIGH_L',
            prior_middle: 'PTRWM_HIGH_M',
            prior_high: 'PTRWM_HIGH_H',
            disadvantaged: 'PTRWM_HIGH_FSM6CLA1A',
            not_disadvantaged: 'PTRWM_HIGH_NotFSM6CLA1A',
            eal: 'PTRWM_HIGH_EAL',
            non_mobile: 'PTRWM_HIGH_MOBN',
          },
          denominators: {
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
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Overall Exceed Std',
          },
          denominators: {
            all: 'KS2 Pupils',
          },
        },
      ],
    },
    {
      code: 'ks2_reading_expected_pct',
      label: 'Pupils meeting the expected standard in reading (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTREAD_EXP',
            prior_low: 'PTREAD_EXP_L',
            prior_middle: 'PTREAD_EXP_M',
            prior_high: 'PTREAD_EXP_H',
            disadvantaged: 'PTREAD_EXP_FSM6CLA1A',
            not_disadvantaged: 'PTREAD_EXP_NotFSM6CLA1A',
          },
          denominators: {
            all: 'TELIG',
            prior_low: 'TKS1GROUP_L',
            prior_middle: 'TKS1GROUP_M',
            prior_high: 'TKS1GROUP_H',
            disadvantaged: 'TFSM6CLA1A',
            not_disadvantaged: 'TNotFSM6CLA1A',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Reading Meet Std',
          },
          denominators: {
            all: 'KS2 Pupils',
          },
        },
      ],
    },
    {
      code: 'ks2_writing_expected_pct',
      label: 'Pupils meeting the expected standard in writing (teacher assessment) (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTWRITTA_EXP',
            prior_low: 'PTWRITTA_EXP_L',
            prior_middle: 'PTWRITTA_EXP_M',
            prior_high: 'PTWRITTA_EXP_H',
            disadvantaged: 'PTWRITTA_EXP_FSM6CLA1A',
            not_disadvantaged: 'PTWRITTA_EXP_NotFSM6CLA1A',
          },
          denominators: {
            all: 'TELIG',
            prior_low: 'TKS1GROUP_L',
            prior_middle: 'TKS1GROUP_M',
            prior_high: 'TKS1GROUP_H',
            disadvantaged: 'TFSM6CLA1A',
            not_disadvantaged: 'TNotFSM6CLA1A',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Writing Meet Std',
          },
          denominators: {
            all: 'KS2 Pupils',
          },
        },
      ],
    },
    {
      code: 'ks2_maths_expected_pct',
      label: 'Pupils meeting the expected standard in maths (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTMAT_EXP',
            prior_low: 'PTMAT_EXP_L',
            prior_middle: 'PTMAT_EXP_M',
            prior_high: 'PTMAT_EXP_H',
            disadvantaged: 'PTMAT_EXP_FSM6CLA1A',
            not_disadvantaged: 'PTMAT_EXP_NotFSM6CLA1A',
          },
          denominators: {
            all: 'TELIG',
            prior_low: 'TKS1GROUP_L',
            prior_middle: 'TKS1GROUP_M',
            prior_high: 'TKS1GROUP_H',
            disadvantaged: 'TFSM6CLA1A',
            not_disadvantaged: 'TNotFSM6CLA1A',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Maths Meet Std',
          },
          denominators: {
            all: 'KS2 Pupils',
          },
        },
      ],
    },
    {
      code: 'ks2_reading_progress',
      label: 'Key stage 2 reading progress score',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'READPROG',
            boys: 'READPROG_B',
            girls: 'READPROG_G',
            prior_low: 'READPROG_L',
            prior_middle: 'READPROG_M',
            prior_high: 'READPROG_H',
            disadvantaged: 'READPROG_FSM6CLA1A',
            not_disadvantaged: 'READPROG_NotFSM6CLA1A',
            eal: 'READPROG_EAL',
            non_mobile: 'READPROG_MOBN',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Reading Progress',
          },
        },
      ],
    },
    {
      code: 'ks2_reading_progress_ci_lower',
      label: 'Key stage 2 reading progress score: lower 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'READPROG_LOWER',
            boys: 'READPROG_B_LOWER',
            girls: 'READPROG_G_LOWER',
            prior_low: 'READPROG_L_LOWER',
            prior_middle: 'READPROG_M_LOWER',
            prior_high: 'READPROG_H_LOWER',
            disadvantaged: 'READPROG_FSM6CLA1A_LOWER',
            not_disadvantaged: 'READPROG_NotFSM6CLA1A_LOWER',
            eal: 'READPROG_EAL_LOWER',
            non_mobile: 'READPROG_MOBN_LOWER',
          },
        },
      ],
    },
    {
      code: 'ks2_reading_progress_ci_upper',
      label: 'Key stage 2 reading progress score: upper 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'READPROG_UPPER',
            boys: 'READPROG_B_UPPER',
            girls: 'READPROG_G_UPPER',
            prior_low: 'READPROG_L_UPPER',
            prior_middle: 'READPROG_M_UPPER',
            prior_high: 'READPROG_H_UPPER',
            disadvantaged: 'READPROG_FSM6CLA1A_UPPER',
            not_disadvantaged: 'READPROG_NotFSM6CLA1A_UPPER',
            eal: 'READPROG_EAL_UPPER',
            non_mobile: 'READPROG_MOBN_UPPER',
          },
        },
      ],
    },
    {
      code: 'ks2_writing_progress',
      label: 'Key stage 2 writing progress score',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'WRITPROG',
            boys: 'WRITPROG_B',
            girls: 'WRITPROG_G',
            prior_low: 'WRITPROG_L',
            prior_middle: 'WRITPROG_M',
            prior_high: 'WRITPROG_H',
            disadvantaged: 'WRITPROG_FSM6CLA1A',
            not_disadvantaged: 'WRITPROG_NotFSM6CLA1A',
            eal: 'WRITPROG_EAL',
            non_mobile: 'WRITPROG_MOBN',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Writing Progress',
          },
        },
      ],
    },
    {
      code: 'ks2_writing_progress_ci_lower',
      label: 'Key stage 2 writing progress score: lower 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'WRITPROG_LOWER',
            boys: 'WRITPROG_B_LOWER',
            girls: 'WRITPROG_G_LOWER',
            prior_low: 'WRITPROG_L_LOWER',
            prior_middle: 'WRITPROG_M_LOWER',
            prior_high: 'WRITPROG_H_LOWER',
            disadvantaged: 'WRITPROG_FSM6CLA1A_LOWER',
            not_disadvantaged: 'WRITPROG_NotFSM6CLA1A_LOWER',
            eal: 'WRITPROG_EAL_LOWER',
            non_mobile: 'WRITPROG_MOBN_LOWER',
          },
        },
      ],
    },
    {
      code: 'ks2_writing_progress_ci_upper',
      label: 'Key stage 2 writing progress score: upper 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'WRITPROG_UPPER',
            boys: 'WRITPROG_B_UPPER',
            girls: 'WRITPROG_G_UPPER',
            prior_low: 'WRITPROG_L_UPPER',
            prior_middle: 'WRITPROG_M_UPPER',
            prior_high: 'WRITPROG_H_UPPER',
            disadvantaged: 'WRITPROG_FSM6CLA1A_UPPER',
            not_disadvantaged: 'WRITPROG_NotFSM6CLA1A_UPPER',
            eal: 'WRITPROG_EAL_UPPER',
            non_mobile: 'WRITPROG_MOBN_UPPER',
          },
        },
      ],
    },
    {
      code: 'ks2_maths_progress',
      label: 'Key stage 2 maths progress score',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'MATPROG',
            boys: 'MATPROG_B',
            girls: 'MATPROG_G',
            prior_low: 'MATPROG_L',
            prior_middle: 'MATPROG_M',
            prior_high: 'MATPROG_H',
            disadvantaged: 'MATPROG_FSM6CLA1A',
            not_disadvantaged: 'MATPROG_NotFSM6CLA1A',
            eal: 'MATPROG_EAL',
            non_mobile: 'MATPROG_MOBN',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Maths Progress',
          },
        },
      ],
    },
    {
      code: 'ks2_maths_progress_ci_lower',
      label: 'Key stage 2 maths progress score: lower 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'MATPROG_LOWER',
            boys: 'MATPROG_B_LOWER',
            girls: 'MATPROG_G_LOWER',
            prior_low: 'MATPROG_L_LOWER',
            prior_middle: 'MATPROG_M_LOWER',
            prior_high: 'MATPROG_H_LOWER',
            disadvantaged: 'MATPROG_FSM6CLA1A_LOWER',
            not_disadvantaged: 'MATPROG_NotFSM6CLA1A_LOWER',
            eal: 'MATPROG_EAL_LOWER',
            non_mobile: 'MATPROG_MOBN_LOWER',
          },
        },
      ],
    },
    {
      code: 'ks2_maths_progress_ci_upper',
      label: 'Key stage 2 maths progress score: upper 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'MATPROG_UPPER',
            boys: 'MATPROG_B_UPPER',
            girls: 'MATPROG_G_UPPER',
            prior_low: 'MATPROG_L_UPPER',
            prior_middle: 'MATPROG_M_UPPER',
            prior_high: 'MATPROG_H_UPPER',
            disadvantaged: 'MATPROG_FSM6CLA1A_UPPER',
            not_disadvantaged: 'MATPROG_NotFSM6CLA1A_UPPER',
            eal: 'MATPROG_EAL_UPPER',
            non_mobile: 'MATPROG_MOBN_UPPER',
          },
        },
      ],
    },
    {
      code: 'ks2_reading_scaled_score',
      label: 'Average scaled score in reading',
      category: 'attainment',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'READ_AVERAGE',
            boys: 'READ_AVERAGE_B',
            girls: 'READ_AVERAGE_G',
            prior_low: 'READ_AVERAGE_L',
            prior_middle: 'READ_AVERAGE_M',
            prior_high: 'READ_AVERAGE_H',
            disadvantaged: 'READ_AVERAGE_FSM6CLA1A',
            not_disadvantaged: 'READ_AVERAGE_NotFSM6CLA1A',
            eal: 'READ_AVERAGE_EAL',
            non_mobile: 'READ_AVERAGE_MOBN',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Reading Score',
          },
        },
      ],
    },
    {
      code: 'ks2_maths_scaled_score',
      label: 'Average scaled score in maths',
      category: 'attainment',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'MAT_AVERAGE',
            boys: 'MAT_AVERAGE_B',
            girls: 'MAT_AVERAGE_G',
            prior_low: 'MAT_AVERAGE_L',
            prior_middle: 'MAT_AVERAGE_M',
            prior_high: 'MAT_AVERAGE_H',
            disadvantaged: 'MAT_AVERAGE_FSM6CLA1A',
            not_disadvantaged: 'MAT_AVERAGE_NotFSM6CLA1A',
            eal: 'MAT_AVERAGE_EAL',
            non_mobile: 'MAT_AVERAGE_MOBN',
          },
        },
        {
          format: 'national-extract-ks2',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Maths Score',
          },
        },
      ],
    },
    {
      code: 'ks2_gps_scaled_score',
      label: 'Average scaled score in grammar, punctuation and spelling',
      category: 'attainment',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['primary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'GPS_AVERAGE',
            boys: 'GPS_AVERAGE_B',
            girls: 'GPS_AVERAGE_G',
            prior_low: 'GPS_AVERAGE_L',
            prior_middle: 'GPS_AVERAGE_M',
            prior_high: 'GPS_AVERAGE_H',
            disadvantaged: 'GPS_AVERAGE_FSM6CLA1A',
            not_disadvantaged: 'GPS_AVERAGE_NotFSM6CLA1A',
            eal: 'GPS_AVERAGE_EAL',
            non_mobile: 'GPS_AVERAGE_MOBN',
          },
        },
      ],
    },
    {
      code: 'ks4_attainment8',
      label: 'Attainment 8 score',
      category: 'attainment',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'ATT8SCR',
            disadvantaged: 'ATT8SCR_FSM6CLA1A',
            not_disadvantaged: 'ATT8SCR_NFSM6CLA1A',
            prior_low: 'ATT8SCR_LO',
            prior_middle: 'ATT8SCR_AV',
            prior_high: 'ATT8SCR_HI',
            eal: 'ATT8SCR_EAL',
            girls: 'ATT8SCR_GIRLS',
            boys: 'ATT8SCR_BOYS',
            non_mobile: 'ATT8SCR_NMOB',
          },
          denominators: {
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
        },
        {
          format: 'national-extract-ks4',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Attainment 8',
            boys: 'Attainment 8 Boys',
            girls: 'Attainment 8 Girls',
          },
          denominators: {
            all: 'KS4 Pupils',
            boys: 'KS4 Boys',
            girls: 'KS4 Girls',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'avg_att8',
          },
          denominators: {
            all: 't_pupils',
          },
        },
      ],
    },
    {
      code: 'ks4_progress8',
      label: 'Progress 8 score',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 2,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'P8MEA',
            disadvantaged: 'P8MEA_FSM6CLA1A',
            not_disadvantaged: 'P8MEA_NFSM6CLA1A',
            prior_low: 'P8MEA_LO',
            prior_middle: 'P8MEA_AV',
            prior_high: 'P8MEA_HI',
            eal: 'P8MEA_EAL',
            girls: 'P8MEA_GIRLS',
            boys: 'P8MEA_BOYS',
            non_mobile: 'P8MEA_NMOB',
          },
          denominators: {
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
          },
        },
        {
          format: 'national-extract-ks4',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Progress 8',
            boys: 'Progress 8 Boys',
            girls: 'Progress 8 Girls',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'avg_p8score',
          },
          denominators: {
            all: 't_inp8calc',
          },
        },
      ],
    },
    {
      code: 'ks4_progress8_ci_lower',
      label: 'Progress 8 score: lower 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 2,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'P8CILOW',
            disadvantaged: 'P8CILOW_FSM6CLA1A',
            not_disadvantaged: 'P8CILOW_NFSM6CLA1A',
            prior_low: 'P8CILOW_LO',
            prior_middle: 'P8CILOW_AV',
            prior_high: 'P8CILOW_HI',
            eal: 'P8CILOW_EAL',
            girls: 'P8CILOW_GIRLS',
            boys: 'P8CILOW_BOYS',
            non_mobile: 'P8CILOW_NMOB',
          },
          denominators: {
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
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'p8score_CI_low',
          },
          denominators: {
            all: 't_inp8calc',
          },
        },
      ],
    },
    {
      code: 'ks4_progress8_ci_upper',
      label: 'Progress 8 score: upper 95% confidence limit',
      category: 'progress',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 2,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'P8CIUPP',
            disadvantaged: 'P8CIUPP_FSM6CLA1A',
            not_disadvantaged: 'P8CIUPP_NFSM6CLA1A',
            prior_low: 'P8CIUPP_LO',
            prior_middle: 'P8CIUPP_AV',
            prior_high: 'P8CIUPP_HI',
            eal: 'P8CIUPP_EAL',
            girls: 'P8CIUPP_GIRLS',
            boys: 'P8CIUPP_BOYS',
            non_mobile: 'P8CIUPP_NMOB',
          },
          denominators: {
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
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'p8score_CI_upp',
          },
          denominators: {
            all: 't_inp8calc',
          },
        },
      ],
    },
    {
      code: 'ks4_english_maths_grade5_pct',
      label: 'Pupils achieving grade 5 or above in English and maths GCSEs (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTL2BASICS_95',
            disadvantaged: 'PTFSM6CLA1ABASICS_95',
            not_disadvantaged: 'PTNOTFSM6CLA1ABASICS_95',
            boys: 'PBL2BASICS_95',
            girls: 'PGL2BASICS_95',
          },
          denominators: {
            all: 'TPUP',
            disadvantaged: 'TFSM6CLA1A',
            not_disadvantaged: 'TNOTFSM6CLA1A',
            boys: 'BPUP',
            girls: 'GPUP',
          },
        },
        {
          format: 'national-extract-ks4',
          years: ['201617', '201718'],
          columns: {
            all: 'Eng Maths Grade 5',
          },
          denominators: {
            all: 'KS4 Pupils',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'pt_l2basics_95',
          },
          denominators: {
            all: 't_pupils',
          },
          numerators: {
            all: 't_l2basics_95',
          },
        },
      ],
    },
    {
      code: 'ks4_ebacc_entry_pct',
      label: 'Pupils entering the English Baccalaureate (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTEBACC_E_PTQ_EE',
            disadvantaged: 'PTEBACC_EFSM6CLA1A_PTQ_EE',
            not_disadvantaged: 'PTEBACC_ENFSM6CLA1A_PTQ_EE',
            prior_low: 'PTEBACC_ELO_PTQ_EE',
            prior_middle: 'PTEBACC_EAV_PTQ_EE',
            prior_high: 'PTEBACC_EHI_PTQ_EE',
            eal: 'PTEBACC_EEAL_PTQ_EE',
            non_mobile: 'PTEBACC_ENMOB_PTQ_EE',
          },
          denominators: {
            all: 'TPUP',
            disadvantaged: 'TFSM6CLA1A',
            not_disadvantaged: 'TNOTFSM6CLA1A',
            prior_low: 'TPRIORLO',
            prior_middle: 'TPRIORAV',
            prior_high: 'TPRIORHI',
            eal: 'TEALGRP2',
            non_mobile: 'TNMOB',
          },
        },
        {
          format: 'national-extract-ks4',
          years: ['201516', '201617', '201718'],
          columns: {
            all: 'Entering EBacc',
          },
          denominators: {
            all: 'KS4 Pupils',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'pt_ebacc_e_ptq_ee',
          },
          denominators: {
            all: 't_pupils',
          },
          numerators: {
            all: 't_ebacc_e_ptq_ee',
          },
        },
      ],
    },
    {
      code: 'ks4_ebacc_aps',
      label: 'English Baccalaureate average point score',
      category: 'attainment',
      unit: 'score',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 2,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201718', '201819'],
          columns: {
            all: 'EBACCAPS',
            disadvantaged: 'EBACCAPS_FSM6CLA1A',
            not_disadvantaged: 'EBACCAPS_NFSM6CLA1A',
            prior_low: 'EBACCAPS_LO',
            prior_middle: 'EBACCAPS_AV',
            prior_high: 'EBACCAPS_HI',
            eal: 'EBACCAPS_EAL',
            girls: 'EBACCAPS_GIRLS',
            boys: 'EBACCAPS_BOYS',
            non_mobile: 'EBACCAPS_NMOB',
          },
          denominators: {
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
        },
        {
          format: 'national-extract-ks4',
          years: ['201718'],
          columns: {
            all: 'EBacc Avg Score',
            boys: 'EBacc Avg Boys',
            girls: 'EBacc Avg Girls',
          },
          denominators: {
            all: 'KS4 Pupils',
            boys: 'KS4 Boys',
            girls: 'KS4 Girls',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'avg_ebaccaps',
          },
          denominators: {
            all: 't_pupils',
          },
        },
      ],
    },
    {
      code: 'ks4_ebacc_grade5_pct',
      label:
        'Pupils achieving the English Baccalaureate with grade 5 or above in English and maths (%)',
      category: 'attainment',
      unit: 'percent',
      polarity: 'higher_better',
      phases: ['secondary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTEBACC_95',
            disadvantaged: 'PTEBACC_95_FSM6CLA1A',
            not_disadvantaged: 'PTEBACC_95_NFSM6CLA1A',
          },
          denominators: {
            all: 'TPUP',
            disadvantaged: 'TFSM6CLA1A',
            not_disadvantaged: 'TNOTFSM6CLA1A',
          },
        },
        {
          format: 'national-extract-ks4',
          years: ['201617', '201718'],
          columns: {
            all: 'EBacc Grade 5',
          },
          denominators: {
            all: 'KS4 Pupils',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'pt_ebacc_95',
          },
          denominators: {
            all: 't_pupils',
          },
          numerators: {
            all: 't_ebacc_95',
          },
        },
      ],
    },
    {
      code: 'overall_absence_pct',
      label: 'Overall absence rate (% of sessions missed)',
      category: 'attendance',
      unit: 'percent',
      polarity: 'lower_better',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-absence',
          columns: {
            all: 'PERCTOT',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'sess_overall_percent',
          },
        },
      ],
    },
    {
      code: 'persistent_absence_pct',
      label: 'Persistent absentees: pupils missing 10% or more of sessions (%)',
      category: 'attendance',
      unit: 'percent',
      polarity: 'lower_better',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-absence',
          columns: {
            all: 'PPERSABS10',
          },
        },
        {
          format: 'ees',
          columns: {
            all: 'enrolments_pa_10_exact_percent',
          },
        },
      ],
    },
    {
      code: 'authorised_absence_pct',
      label: 'Authorised absence rate (% of sessions)',
      category: 'attendance',
      unit: 'percent',
      polarity: 'lower_better',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'ees',
          columns: {
            all: 'sess_authorised_percent',
          },
        },
      ],
    },
    {
      code: 'unauthorised_absence_pct',
      label: 'Unauthorised absence rate (% of sessions)',
      category: 'attendance',
      unit: 'percent',
      polarity: 'lower_better',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'ees',
          columns: {
            all: 'sess_unauthorised_percent',
          },
        },
      ],
    },
    {
      code: 'pupils_on_roll',
      label: 'Pupils on roll (headcount)',
      category: 'context',
      unit: 'count',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-census',
          columns: {
            all: 'NOR',
            girls: 'NORG',
            boys: 'NORB',
          },
        },
      ],
    },
    {
      code: 'fsm_ever_pct',
      label: 'Disadvantaged: pupils eligible for free school meals in the last 6 years (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      description:
        "DfE's FSM6 measure; with looked-after children it makes up 'disadvantaged' in the performance tables.",
      sources: [
        {
          format: 'dfe-census',
          columns: {
            all: 'PNUMFSMEVER',
          },
          denominators: {
            all: 'NOR',
          },
          numerators: {
            all: 'NUMFSMEVER',
          },
        },
      ],
    },
    {
      code: 'fsm_pct',
      label: 'Pupils eligible for free school meals now (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-census',
          years: ['201617', '201718'],
          columns: {
            all: 'PNUMFSM',
          },
          denominators: {
            all: 'NOR',
          },
        },
      ],
    },
    {
      code: 'fsm_count',
      label: 'Pupils eligible for free school meals now',
      category: 'context',
      unit: 'count',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-census',
          columns: {
            all: 'NUMFSM',
          },
        },
      ],
    },
    {
      code: 'eal_pct',
      label: 'Pupils whose first language is not English (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-census',
          columns: {
            all: 'PNUMEAL',
          },
          denominators: {
            all: 'NOR',
          },
          numerators: {
            all: 'NUMEAL',
          },
        },
      ],
    },
    {
      code: 'sen_support_pct',
      label: 'Pupils with SEN support (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-census',
          columns: {
            all: 'PSENELK',
          },
          denominators: {
            all: 'NOR',
          },
          numerators: {
            all: 'TSENELK',
          },
        },
      ],
    },
    {
      code: 'ehc_plan_pct',
      label: 'Pupils with an education, health and care plan or SEN statement (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-census',
          columns: {
            all: 'PSENELSE',
          },
          denominators: {
            all: 'NOR',
          },
          numerators: {
            all: 'TSENELSE',
          },
        },
      ],
    },
    {
      code: 'prior_attainment_ks1_aps',
      label: 'Prior attainment: key stage 1 average point score of the key stage 2 cohort',
      category: 'context',
      unit: 'score',
      polarity: 'neutral',
      phases: ['primary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'TKS1AVERAGE',
          },
        },
      ],
    },
    {
      code: 'prior_attainment_ks2_aps',
      label: 'Prior attainment: key stage 2 average point score of the key stage 4 cohort',
      category: 'context',
      unit: 'score',
      polarity: 'neutral',
      phases: ['secondary'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'KS2APS',
          },
        },
      ],
    },
    {
      code: 'non_mobile_pct',
      label: 'Pupils who are non-mobile (joined at the usual time) in the tested cohort (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary'],
      decimals: 0,
      description: 'Mobility: pupils not non-mobile joined the school at a non-standard time.',
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTMOBN',
          },
          denominators: {
            all: 'TELIG',
          },
          numerators: {
            all: 'TMOBN',
          },
        },
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTNMOB',
          },
          denominators: {
            all: 'TPUP',
          },
          numerators: {
            all: 'TNMOB',
          },
        },
      ],
    },
    {
      code: 'cohort_disadvantaged_pct',
      label: 'Disadvantaged pupils in the tested cohort (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTFSM6CLA1A',
          },
          denominators: {
            all: 'TELIG',
          },
          numerators: {
            all: 'TFSM6CLA1A',
          },
        },
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTFSM6CLA1A',
          },
          denominators: {
            all: 'TPUP',
          },
          numerators: {
            all: 'TFSM6CLA1A',
          },
        },
      ],
    },
    {
      code: 'cohort_eal_pct',
      label: 'Pupils with English as an additional language in the tested cohort (%)',
      category: 'context',
      unit: 'percent',
      polarity: 'neutral',
      phases: ['primary', 'secondary'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-ks2',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTEALGRP2',
          },
          denominators: {
            all: 'TELIG',
          },
          numerators: {
            all: 'TEALGRP2',
          },
        },
        {
          format: 'dfe-ks4',
          years: ['201617', '201718', '201819'],
          columns: {
            all: 'PTEALGRP2',
          },
          denominators: {
            all: 'TPUP',
          },
          numerators: {
            all: 'TEALGRP2',
          },
        },
      ],
    },
    {
      code: 'pupil_teacher_ratio',
      label: 'Pupil-teacher ratio',
      category: 'context',
      unit: 'ratio',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      description: 'Not in the DfE files held for tests; read from EES school workforce files.',
      sources: [
        {
          format: 'ees',
          columns: {
            all: 'pupil_to_qual_teacher_ratio',
          },
        },
      ],
    },
    {
      code: 'finance_total_income_per_pupil',
      label: 'Total income per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'TOTALINCOME',
          },
        },
      ],
    },
    {
      code: 'finance_grant_funding_per_pupil',
      label: 'Grant funding per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'GRANTFUNDING',
          },
        },
      ],
    },
    {
      code: 'finance_self_generated_income_per_pupil',
      label: 'Self-generated income per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'SELFGENERATEDINCOME',
          },
        },
      ],
    },
    {
      code: 'finance_total_expenditure_per_pupil',
      label: 'Total expenditure per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'TOTALEXPENDITURE',
          },
        },
      ],
    },
    {
      code: 'finance_teaching_staff_per_pupil',
      label: 'Teaching staff spending per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'TEACHINGSTAFF',
          },
        },
      ],
    },
    {
      code: 'finance_supply_staff_per_pupil',
      label: 'Supply staff spending per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'SUPPLYTEACHERS',
          },
        },
      ],
    },
    {
      code: 'finance_education_support_staff_per_pupil',
      label: 'Education support staff spending per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'EDUCATIONSUPPORTSTAFF',
          },
        },
      ],
    },
    {
      code: 'finance_premises_per_pupil',
      label: 'Premises spending per pupil (including staff) (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'PREMISES',
          },
        },
      ],
    },
    {
      code: 'finance_back_office_per_pupil',
      label: 'Back office spending per pupil (including staff) (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'BACKOFFICE',
          },
        },
      ],
    },
    {
      code: 'finance_catering_per_pupil',
      label: 'Catering spending per pupil (including staff) (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'CATERING',
          },
        },
      ],
    },
    {
      code: 'finance_other_staff_costs_per_pupil',
      label: 'Other staff costs per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'OTHERSTAFF',
          },
        },
      ],
    },
    {
      code: 'finance_energy_per_pupil',
      label: 'Energy spending per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'ENERGY',
          },
        },
      ],
    },
    {
      code: 'finance_learning_resources_per_pupil',
      label: 'Learning resources (not ICT) per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'LEARNINGRESOURCES',
          },
        },
      ],
    },
    {
      code: 'finance_ict_per_pupil',
      label: 'ICT learning resources per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'ICT',
          },
        },
      ],
    },
    {
      code: 'finance_bought_in_professional_services_per_pupil',
      label: 'Bought-in professional services (curriculum) per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'BOUGHTINPROFESSIONALSERVICES',
          },
        },
      ],
    },
    {
      code: 'finance_other_expenditure_per_pupil',
      label: 'Other expenditure per pupil (£)',
      category: 'finance',
      unit: 'gbp',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 0,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'OTHER',
          },
        },
      ],
    },
    {
      code: 'finance_pupils_fte',
      label: 'Pupils (full-time equivalent) in the finance return',
      category: 'finance',
      unit: 'count',
      polarity: 'neutral',
      phases: ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'],
      decimals: 1,
      sources: [
        {
          format: 'dfe-cfr',
          columns: {
            all: 'PUPILS',
          },
        },
      ],
    },
  ],
};
