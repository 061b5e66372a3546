import type { ByteSource } from '../bytes/byte-source';
import { decodeText, type DecodedTextState } from '../bytes/text-decoding';
import { csvRecords } from '../csv/csv-records';
import type { ProblemSink } from '../problems/problem';

export interface MetaRow {
  readonly line: number;
  readonly colName: string;
  readonly colType: string;
  readonly label: string;
  readonly indicatorGrouping: string;
  readonly indicatorUnit: string;
  readonly indicatorDp: string;
  readonly filterHint: string;
  readonly filterGroupingColumn: string;
  readonly filterDefault: string;
  /** Every cell, for the `null` rule. */
  readonly cells: readonly string[];
}

export interface EesMeta {
  readonly header: readonly string[];
  readonly rows: readonly MetaRow[];
  readonly blankRowLines: readonly number[];
  readonly state: DecodedTextState;
}

/** Metadata files describe columns, so they are small; this cap keeps a wrong upload harmless. */
export const MAX_META_BYTES = 5 * 1024 * 1024;

/** Reads a `.meta.csv` fully (it is small) into rows keyed by the EES metadata column names. */
export async function readEesMeta(source: ByteSource, problems: ProblemSink): Promise<EesMeta> {
  const decoded = decodeText(source, { problems, maxBytes: MAX_META_BYTES });
  let header: string[] | null = null;
  const rows: MetaRow[] = [];
  const blankRowLines: number[] = [];
  for await (const record of csvRecords(decoded, problems)) {
    if (header === null) {
      header = record.cells.map((c) => c.trim());
      continue;
    }
    if (record.cells.every((c) => c.trim() === '')) {
      blankRowLines.push(record.line);
      continue;
    }
    const at = (name: string): string => {
      const i = header?.indexOf(name) ?? -1;
      return i < 0 ? '' : (record.cells[i] ?? '').trim();
    };
    rows.push({
      line: record.line,
      colName: at('col_name'),
      colType: at('col_type'),
      label: at('label'),
      indicatorGrouping: at('indicator_grouping'),
      indicatorUnit: at('indicator_unit'),
      indicatorDp: at('indicator_dp'),
      filterHint: at('filter_hint'),
      filterGroupingColumn: at('filter_grouping_column'),
      filterDefault: at('filter_default'),
      cells: record.cells,
    });
  }
  return { header: header ?? [], rows, blankRowLines, state: decoded.state };
}
