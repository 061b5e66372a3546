import {
  headerSet,
  type AdapterContext,
  type FileAdapter,
  type RowReader,
} from '../import/file-adapter';
import type { ImportRecord } from '../import/import-record';
import { columnIndex } from '../import/measure-columns';
import type { ColumnDefinition, Period } from '../model/observation';

function firstPresent(header: readonly string[], names: readonly string[]): number {
  const indexOf = columnIndex(header);
  for (const n of names) {
    const i = indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

/** `NEW' =New school with no eligible pupils` → { NEW: 'New school with no eligible pupils' }. */
export function specialValuesIn(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/\b([A-Z]{2,6}!?)'?\s*=\s*'?([^;.,)"]+)/g)) {
    if (m[1] && m[2]) out[m[1]] = m[2].trim();
  }
  return out;
}

const yes = (v: string | undefined): boolean => /^\s*yes\s*$/i.test(v ?? '');
const no = (v: string | undefined): boolean => /^\s*no\s*$/i.test(v ?? '');

/**
 * DfE column-definition ("meta") files. Four layouts are in use: KS2 (`Column, Field Name,
 * Label/Description`), KS4 (`Metafile heading` plus "Null field for ..." flags), census
 * (`Field Reference` plus "LA level field?") and CFR / destinations (`Variable, Label, Type,
 * Description`). They feed `columnDefinitions` for the data files.
 */
export const COLUMN_DEFINITIONS_ADAPTER: FileAdapter = {
  id: 'dfe-column-definitions',
  description: 'DfE column definitions (*_meta.csv)',
  detect(header) {
    const cols = headerSet(header);
    const first = (header[0] ?? '').trim().toUpperCase();
    const named = [
      'FIELD REFERENCE',
      'METAFILE HEADING',
      'FIELDNAME',
      'FIELD NAME',
      'VARIABLE',
    ].some((c) => cols.has(c));
    return (first === 'COLUMN' || first === 'FIELD NUMBER' || first === 'VARIABLE') && named
      ? 8
      : 0;
  },
  open(context: AdapterContext): RowReader {
    const { header } = context;
    const name = firstPresent(header, [
      'Field Reference',
      'Metafile heading',
      'FieldName',
      'Field Name',
      'Variable',
    ]);
    const label = firstPresent(header, [
      'Label/Description',
      'Metafile description',
      'Label',
      'Field Name',
    ]);
    const description = firstPresent(header, ['Description', 'Values', 'Methodology changes']);
    const indexOf = columnIndex(header);
    const nullSpecial = indexOf('Null field for special schools');
    const nullLa = indexOf('Null field for local authority records');
    const nullNational = indexOf('Null field for National (all schools) records');
    const laField = indexOf('LA level field?');
    const nationalField = indexOf('National level field?');
    return {
      periods: [] as Period[],
      *readRow(cells, line): Generator<ImportRecord> {
        const column = (cells[name] ?? '').trim();
        if (column === '' || /\s/.test(column)) return;
        const labelText = (cells[label] ?? '').trim();
        const descriptionText = description >= 0 ? (cells[description] ?? '').trim() : '';
        const nullFor: ColumnDefinition['nullFor'][number][] = [];
        if (yes(cells[nullSpecial])) nullFor.push('special');
        if (yes(cells[nullLa]) || no(cells[laField])) nullFor.push('local_authority');
        if (yes(cells[nullNational]) || no(cells[nationalField])) nullFor.push('national');
        const definition: ColumnDefinition = {
          column,
          label: labelText,
          ...(descriptionText ? { description: descriptionText } : {}),
          nullFor,
          specialValues: specialValuesIn(`${labelText} ${descriptionText}`),
        };
        yield { kind: 'column-definition', line, definition };
      },
      *finish(): Generator<ImportRecord> {},
    };
  },
};

/** DfE's `la_and_region_codes_meta.csv`: LA code, name and (sub-)region. */
export const LOCAL_AUTHORITY_LIST_ADAPTER: FileAdapter = {
  id: 'dfe-la-region-codes',
  description: 'DfE LA and region codes',
  detect(header) {
    const cols = headerSet(header);
    return cols.has('LEA') && cols.has('LA NAME') && cols.has('REGION') ? 8 : 0;
  },
  open(context: AdapterContext): RowReader {
    const indexOf = columnIndex(context.header);
    const [code, name, region, regionName] = ['LEA', 'LA Name', 'REGION', 'REGION NAME'].map(
      indexOf,
    );
    return {
      periods: [] as Period[],
      *readRow(cells, line): Generator<ImportRecord> {
        const c = (cells[code ?? -1] ?? '').trim();
        if (c === '') return;
        const rc = (cells[region ?? -1] ?? '').trim();
        const rn = (cells[regionName ?? -1] ?? '').trim();
        yield {
          kind: 'local-authority',
          line,
          localAuthority: {
            code: c,
            name: (cells[name ?? -1] ?? '').trim(),
            ...(rc ? { regionCode: rc } : {}),
            ...(rn ? { regionName: rn } : {}),
          },
        };
      },
      *finish(): Generator<ImportRecord> {},
    };
  },
};

/**
 * DfE methodology sheets saved as CSV (`ks4_meta_methodology.csv`): headings followed by
 * paragraphs, blocks separated by blank lines. Kept as notes for the measure documentation.
 */
export const METHODOLOGY_NOTES_ADAPTER: FileAdapter = {
  id: 'dfe-methodology-notes',
  description: 'DfE methodology notes saved as CSV',
  detect(header, fileName) {
    return /methodology/i.test(fileName) && header.filter((h) => h.trim() !== '').length <= 2
      ? 7
      : 0;
  },
  open(context: AdapterContext): RowReader {
    let title: string | null = context.header.join(',').trim() || null;
    let titleLine = 1;
    let lines: string[] = [];
    const flush = function* (): Generator<ImportRecord> {
      if (title !== null || lines.length > 0) {
        yield {
          kind: 'methodology-note',
          line: titleLine,
          note: { title: title ?? '', text: lines.join('\n') },
        };
      }
      title = null;
      lines = [];
    };
    return {
      periods: [] as Period[],
      readBlankRow: () => flush(),
      *readRow(cells, line): Generator<ImportRecord> {
        const textLine = cells.join(',').trim();
        if (title === null) {
          title = textLine;
          titleLine = line;
        } else lines.push(textLine);
      },
      *finish(): Generator<ImportRecord> {
        yield* flush();
      },
    };
  },
};
