import { ComparisonInputError } from '../methods/comparison-input-error';

/** Reads a census cell of the current row as a number (undefined when missing or coded). */
export type CensusCellReader = (column: string) => number | undefined;

/** A school characteristic derived from DfE census columns. */
export interface CensusFeature {
  readonly code: string;
  readonly label: string;
  readonly columns: readonly string[];
  /** NaN when the value is missing or cannot be computed (e.g. a share of NOR = 0 pupils). */
  derive(cell: CensusCellReader): number;
}

const orNaN = (value: number | undefined): number => value ?? Number.NaN;

function perPupil(count: number | undefined, pupils: number | undefined): number {
  if (count === undefined || pupils === undefined || pupils <= 0) return Number.NaN;
  return (count / pupils) * 100;
}

/** The census-derived features the comparison methods use. */
export const CENSUS_FEATURES: readonly CensusFeature[] = [
  {
    code: 'pct_fsm_ever',
    label: '% pupils eligible for FSM at any time in the last 6 years (disadvantaged)',
    columns: ['PNUMFSMEVER'],
    derive: (cell) => orNaN(cell('PNUMFSMEVER')),
  },
  {
    code: 'pct_eal',
    label: '% pupils with English as an additional language',
    columns: ['PNUMEAL'],
    derive: (cell) => orNaN(cell('PNUMEAL')),
  },
  {
    code: 'pct_sen_support',
    label: '% pupils on SEN support',
    columns: ['PSENELK'],
    derive: (cell) => orNaN(cell('PSENELK')),
  },
  {
    code: 'pct_ehc_plan',
    label: '% pupils with an EHC plan or statement',
    columns: ['PSENELSE'],
    derive: (cell) => orNaN(cell('PSENELSE')),
  },
  {
    code: 'ln_pupils',
    label: 'natural log of pupils on roll',
    columns: ['NOR'],
    derive: (cell) => {
      const pupils = cell('NOR');
      return pupils !== undefined && pupils > 0 ? Math.log(pupils) : Number.NaN;
    },
  },
  {
    code: 'pupils',
    label: 'pupils on roll',
    columns: ['NOR'],
    derive: (cell) => orNaN(cell('NOR')),
  },
  {
    // DfE's FBIT uses current FSM eligibility, not FSM ever.
    code: 'pct_fsm',
    label: '% pupils currently eligible for FSM (NUMFSM / NOR × 100)',
    columns: ['NUMFSM', 'NOR'],
    derive: (cell) => perPupil(cell('NUMFSM'), cell('NOR')),
  },
  {
    // All SEN as DfE's FBIT counts it: EHC plan plus SEN support.
    code: 'pct_sen',
    label: '% pupils with SEN (EHC plan + SEN support)',
    columns: ['PSENELSE', 'PSENELK'],
    derive: (cell) => {
      const ehc = cell('PSENELSE');
      const support = cell('PSENELK');
      return ehc === undefined || support === undefined ? Number.NaN : ehc + support;
    },
  },
];

export function censusFeature(code: string): CensusFeature {
  const feature = CENSUS_FEATURES.find((f) => f.code === code);
  if (!feature) {
    throw new ComparisonInputError(
      `No census feature "${code}" (known: ${CENSUS_FEATURES.map((f) => f.code).join(', ')})`,
    );
  }
  return feature;
}
