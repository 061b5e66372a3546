import type { SourceFormat } from '../catalogue/measure-catalogue';
import type { Area, ColumnDefinition, SchoolRecord, TimeIdentifier } from '../model/observation';
import type { DfeRecordType } from '../values/special-values';

export type RowIdentity =
  | {
      readonly kind: 'school';
      readonly urn: string;
      readonly laCode: string;
      readonly recordType: DfeRecordType;
      readonly school: Omit<SchoolRecord, 'urn'>;
    }
  | { readonly kind: 'summary'; readonly area: Area; readonly recordType: DfeRecordType };

export type CellReader = (column: string) => string;

export interface IdentifyContext {
  readonly definitions: ReadonlyMap<string, ColumnDefinition> | undefined;
  /** LA code of the school rows read so far (CFR summary rows do not repeat it). */
  readonly lastLaCode: string | null;
  readonly fileName: string;
}

/**
 * One DfE performance-tables download layout. Everything that varies between KS2, KS4, census,
 * absence and CFR files lives here; measure columns come from the catalogue.
 */
export interface DfeFileKind {
  readonly id: string;
  readonly description: string;
  readonly format: SourceFormat;
  readonly timeIdentifier: TimeIdentifier;
  readonly urnColumn: string;
  readonly laColumn: string;
  /** Columns read to identify schools and rows; never reported as ignored. */
  readonly identityColumns: readonly string[];
  detect(columns: ReadonlySet<string>): boolean;
  identify(cell: CellReader, context: IdentifyContext): RowIdentity;
  /** End year of the period read from the header itself, when the layout carries it. */
  endYearFromHeader?(header: readonly string[]): number | null;
}

/** Drops absent fields so records compare and serialise cleanly. */
export function withoutUndefined<T extends object>(record: T): T {
  for (const key of Object.keys(record) as (keyof T)[])
    if (record[key] === undefined) delete record[key];
  return record;
}

const ENGLAND = { level: 'national', code: 'E92000001', name: 'England' } as const;

function laestab(la: string, estab: string): string | undefined {
  return /^\d{3}$/.test(la) && /^\d{1,4}$/.test(estab)
    ? `${la}${estab.padStart(4, '0')}`
    : undefined;
}

function optional(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

/** `Record type (1=mainstream school; 2=special school; 4=local authority; ...)` → labels by code. */
export function recordTypeLabels(definition: ColumnDefinition | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  const text = `${definition?.label ?? ''} ${definition?.description ?? ''}`;
  for (const m of text.matchAll(/(\d+)\s*=\s*([^;)]+)/g)) {
    if (m[1] && m[2]) labels.set(m[1], m[2].trim());
  }
  return labels;
}

function performanceTables(
  id: string,
  description: string,
  format: 'dfe-ks2' | 'dfe-ks4',
  markers: readonly string[],
  nationalLabels: Readonly<Record<string, string>>,
): DfeFileKind {
  return {
    id,
    description,
    format,
    timeIdentifier: 'Academic year',
    urnColumn: 'URN',
    laColumn: 'LEA',
    identityColumns: ['RECTYPE', 'LEA', 'ESTAB', 'URN', 'SCHNAME', 'NFTYPE'],
    detect: (c) => c.has('RECTYPE') && c.has('URN') && markers.some((m) => c.has(m)),
    identify(cell, context) {
      const rectype = cell('RECTYPE').trim();
      const urn = cell('URN').trim();
      const lea = cell('LEA').trim();
      if (rectype === '1' || rectype === '2' || (rectype === '' && urn !== '')) {
        return {
          kind: 'school',
          urn,
          laCode: lea,
          recordType: rectype === '2' ? 'special' : 'school',
          school: {
            laCode: optional(lea),
            laestab: laestab(lea, cell('ESTAB').trim()),
            name: optional(cell('SCHNAME')),
            type: optional(cell('NFTYPE')),
          },
        };
      }
      const labels = recordTypeLabels(context.definitions?.get('RECTYPE'));
      if (lea !== '' && /^\d{3}$/.test(lea)) {
        return {
          kind: 'summary',
          recordType: 'local_authority',
          area: {
            level: 'local_authority',
            code: lea,
            name: optional(cell('SCHNAME')),
            variant: '',
          },
        };
      }
      return {
        kind: 'summary',
        recordType: 'national',
        area: {
          ...ENGLAND,
          variant: labels.get(rectype) ?? nationalLabels[rectype] ?? `RECTYPE ${rectype}`,
        },
      };
    },
  };
}

const SCHOOL_TYPE_PHASE: Readonly<Record<string, string>> = {
  'state-funded primary': 'primary',
  'state-funded secondary': 'secondary',
  'state-funded special school': 'special',
  primary: 'primary',
  secondary: 'secondary',
  'secondary with ks4': 'secondary',
  'secondary without ks4': 'secondary',
  special: 'special',
  nursery: 'nursery',
  'pupil referral unit': 'pru',
};

function phaseOf(text: string): string | undefined {
  return SCHOOL_TYPE_PHASE[text.trim().toLowerCase()];
}

export const DFE_FILE_KINDS: readonly DfeFileKind[] = [
  performanceTables(
    'dfe-ks2-final',
    'DfE key stage 2 performance tables (final), including trimmed national extracts',
    'dfe-ks2',
    ['PTRWM_EXP', 'READPROG', 'TKS1AVERAGE'],
    { '4': 'all schools', '5': 'state-funded schools' },
  ),
  performanceTables(
    'dfe-ks4',
    'DfE key stage 4 performance tables (final or provisional)',
    'dfe-ks4',
    ['ATT8SCR', 'P8MEA'],
    { '5': 'all schools', '7': 'state-funded schools' },
  ),
  {
    id: 'dfe-census',
    description: 'DfE school census (pupils on roll, SEN, EAL, FSM)',
    format: 'dfe-census',
    timeIdentifier: 'Academic year',
    urnColumn: 'URN',
    laColumn: 'LA',
    identityColumns: ['URN', 'LA', 'ESTAB', 'SCHOOLTYPE'],
    detect: (c) =>
      c.has('URN') && c.has('LA') && c.has('NOR') && (c.has('PNUMFSMEVER') || c.has('NUMFSMEVER')),
    identify(cell) {
      const urn = cell('URN').trim();
      const la = cell('LA').trim();
      const variant = cell('ESTAB').trim();
      if (urn === 'LA') {
        return {
          kind: 'summary',
          recordType: 'local_authority',
          area: { level: 'local_authority', code: la, variant },
        };
      }
      if (urn === 'NAT')
        return { kind: 'summary', recordType: 'national', area: { ...ENGLAND, variant } };
      return {
        kind: 'school',
        urn,
        laCode: la,
        recordType: 'school',
        school: {
          laCode: optional(la),
          laestab: laestab(la, cell('ESTAB').trim()),
          type: optional(cell('SCHOOLTYPE')),
          phase: phaseOf(cell('SCHOOLTYPE')),
        },
      };
    },
  },
  {
    id: 'dfe-absence',
    description: 'DfE pupil absence (overall and persistent absence)',
    format: 'dfe-absence',
    timeIdentifier: 'Academic year',
    urnColumn: 'URN',
    laColumn: 'LA',
    identityColumns: ['LA', 'ESTAB', 'URN'],
    detect: (c) =>
      c.has('URN') && c.has('LA') && c.has('ESTAB') && (c.has('PERCTOT') || c.has('PPERSABS10')),
    identify(cell) {
      const urn = cell('URN').trim();
      const la = cell('LA').trim();
      const estab = cell('ESTAB').trim();
      if (la === 'NAT')
        return { kind: 'summary', recordType: 'national', area: { ...ENGLAND, variant: estab } };
      if (urn === '' && /^\d{3}$/.test(la)) {
        return {
          kind: 'summary',
          recordType: 'local_authority',
          area: { level: 'local_authority', code: la, variant: estab },
        };
      }
      return {
        kind: 'school',
        urn,
        laCode: la,
        recordType: 'school',
        school: { laCode: optional(la), laestab: laestab(la, estab) },
      };
    },
  },
  {
    id: 'dfe-cfr',
    description: 'DfE consistent financial reporting (CFR): income and spending per pupil',
    format: 'dfe-cfr',
    timeIdentifier: 'Financial year',
    urnColumn: 'URN',
    laColumn: 'LA',
    identityColumns: ['LA', 'URN', 'LONDON/NON-LONDON', 'MEDIAN', 'FSMBAND'],
    detect: (c) => c.has('URN') && c.has('LA') && c.has('MEDIAN') && c.has('TOTALEXPENDITURE'),
    identify(cell, context) {
      const urn = cell('URN').trim();
      const group = cell('LA').trim();
      if (/^\d+$/.test(urn)) {
        return {
          kind: 'school',
          urn,
          laCode: group,
          recordType: 'school',
          school: { laCode: optional(group), phase: phaseOf(cell('MEDIAN')) },
        };
      }
      // Median rows: the LA column names the comparison group, URN holds the LA name (if any).
      const variant = [
        group,
        cell('MEDIAN').trim(),
        cell('FSMBAND').trim() && `${cell('FSMBAND').trim()} FSM`,
      ]
        .filter((p) => p)
        .join(' / ');
      const laCode =
        context.lastLaCode ?? /^(\d{3})_/.exec(context.fileName.replace(/^.*[\\/]/, ''))?.[1];
      if (group.startsWith('LA') && laCode) {
        return {
          kind: 'summary',
          recordType: 'local_authority',
          area: { level: 'local_authority', code: laCode, name: optional(urn), variant },
        };
      }
      return { kind: 'summary', recordType: 'national', area: { ...ENGLAND, variant } };
    },
    endYearFromHeader(header) {
      // T1819CAT1 is 2018-19 spending: the newest year in the file is the one it reports.
      let latest: number | null = null;
      for (const h of header) {
        const m = /^T(\d\d)(\d\d)CAT\d$/.exec(h.trim());
        if (m && Number(m[2]) === (Number(m[1]) + 1) % 100)
          latest = Math.max(latest ?? 0, 2000 + Number(m[2]));
      }
      return latest;
    },
  },
];
