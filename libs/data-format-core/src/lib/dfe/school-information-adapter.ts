import {
  headerSet,
  type AdapterContext,
  type FileAdapter,
  type RowReader,
} from '../import/file-adapter';
import { reportIgnoredColumns } from '../import/ignored-columns';
import type { ImportRecord } from '../import/import-record';
import { columnIndex } from '../import/measure-columns';
import { SchoolRowPolicy } from '../import/school-row-policy';
import type { Period, SchoolRecord } from '../model/observation';

/** `20190831`, `31/08/2019` or `2019-08-31` → `2019-08-31`; anything else is left out. */
export function isoDate(raw: string): string | undefined {
  const v = raw.trim();
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(v) ?? /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (m) return `${m[3]}-${(m[2] ?? '').padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}`;
  return undefined;
}

function text(raw: string | undefined): string | undefined {
  const v = (raw ?? '').trim();
  // The re-published school details carry pandas' "nan" for empty cells.
  return v === '' || v.toLowerCase() === 'nan' ? undefined : v;
}

function phaseFromFlags(
  primary: string | undefined,
  secondary: string | undefined,
  type?: string,
): string | undefined {
  if (type && /special/i.test(type)) return 'special';
  const p = (primary ?? '').trim() === '1';
  const s = (secondary ?? '').trim() === '1';
  if (p && s) return 'all_through';
  if (p) return 'primary';
  if (s) return 'secondary';
  return undefined;
}

interface SchoolLayout {
  readonly id: string;
  readonly description: string;
  readonly required: readonly string[];
  readonly urn: string;
  readonly la: string;
  readonly used: readonly string[];
  read(cell: (name: string) => string | undefined): Omit<SchoolRecord, 'urn'>;
}

const LAYOUTS: readonly SchoolLayout[] = [
  {
    id: 'dfe-school-spine',
    description: 'DfE school information (spine): URN, LAESTAB, name, type, dates',
    required: ['URN', 'LAESTAB', 'SCHNAME'],
    urn: 'URN',
    la: 'LA',
    used: [
      'URN',
      'LA',
      'ESTAB',
      'LAESTAB',
      'SCHNAME',
      'NFTYPE',
      'OPENDATE',
      'CLOSEDATE',
      'ISPRIMARY',
      'ISSECONDARY',
      'MINORGROUP',
    ],
    read: (cell) => ({
      laestab: text(cell('LAESTAB')),
      name: text(cell('SCHNAME')),
      laCode: text(cell('LA')),
      type: text(cell('NFTYPE')),
      phase: phaseFromFlags(cell('ISPRIMARY'), cell('ISSECONDARY'), cell('MINORGROUP')),
      openDate: isoDate(cell('OPENDATE') ?? ''),
      closeDate: isoDate(cell('CLOSEDATE') ?? ''),
    }),
  },
  {
    id: 'school-details',
    description:
      'Re-published school details (URN, name, LA, type, Ofsted), often saved as Windows-1252',
    required: ['URN', 'NAME', 'LOCAL AUTHORITY', 'TYPE'],
    urn: 'URN',
    la: 'Local Authority',
    used: [
      'URN',
      'Name',
      'Type',
      'Primary',
      'Secondary',
      'Date Opened',
      'Date Closed',
      'Local Authority',
    ],
    read: (cell) => ({
      name: text(cell('Name')),
      laCode: text(cell('Local Authority')),
      type: text(cell('Type')),
      phase: phaseFromFlags(cell('Primary'), cell('Secondary'), cell('Type')),
      openDate: isoDate(cell('Date Opened') ?? ''),
      closeDate: isoDate(cell('Date Closed') ?? ''),
    }),
  },
];

function schoolInformationAdapter(layout: SchoolLayout): FileAdapter {
  return {
    id: layout.id,
    description: layout.description,
    detect: (header) => {
      const cols = headerSet(header);
      return layout.required.every((c) => cols.has(c)) ? 9 : 0;
    },
    open: (context) => new SchoolInformationReader(layout, context),
  };
}

class SchoolInformationReader implements RowReader {
  private readonly policy: SchoolRowPolicy;
  private readonly indexOf: (name: string) => number;
  readonly periods: readonly Period[] = [];

  constructor(
    private readonly layout: SchoolLayout,
    context: AdapterContext,
  ) {
    this.policy = new SchoolRowPolicy(context.problems, context.options);
    this.indexOf = columnIndex(context.header);
    const used = new Set(layout.used.map((c) => this.indexOf(c)).filter((i) => i >= 0));
    reportIgnoredColumns(context.header, used, context.problems);
  }

  *readRow(cells: readonly string[], line: number): Generator<ImportRecord> {
    if (cells.every((c) => c.trim() === '')) return;
    const cell = (name: string): string | undefined => {
      const i = this.indexOf(name);
      return i < 0 ? undefined : cells[i];
    };
    const urn = this.policy.urn(cell(this.layout.urn), line, this.layout.urn);
    if (urn === null) return;
    const school = this.layout.read(cell);
    if (!this.policy.admitLa(school.laCode, line, this.layout.la)) return;
    if (!this.policy.firstOccurrence(urn, line, `URN ${urn}`)) return;
    const defined = Object.fromEntries(Object.entries(school).filter(([, v]) => v !== undefined));
    yield { kind: 'school', line, school: { urn, ...defined } };
  }

  *finish(): Generator<ImportRecord> {
    this.policy.finish();
  }
}

export const SCHOOL_INFORMATION_ADAPTERS: readonly FileAdapter[] =
  LAYOUTS.map(schoolInformationAdapter);
