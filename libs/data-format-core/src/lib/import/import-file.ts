import { decodeText } from '../bytes/text-decoding';
import { csvRecords, type CsvRecord } from '../csv/csv-records';
import { openEesReader } from '../ees/ees-import';
import { mappingProfileAdapter } from '../mapping-profiles/mapping-profile-adapter';
import type {
  ColumnDefinition,
  LocalAuthorityRecord,
  MethodologyNote,
  Observation,
  Period,
  SchoolRecord,
  SummaryObservation,
} from '../model/observation';
import { ProblemLog, type Problem } from '../problems/problem';
import { detectAdapter, looksLikeEesData } from './adapter-registry';
import type { AdapterContext, RowReader } from './file-adapter';
import { resolveImportOptions, type ImportOptions, type NamedFile } from './import-options';
import type { ImportRecord, ImportRecordKind, ImportReport } from './import-record';

/**
 * Streams one uploaded file through detection, parsing, mapping and validation. Memory stays
 * flat: rows are read, mapped and handed on a batch at a time. The caller decides what to do
 * with the records; with all-or-nothing imports it stages them and publishes only when
 * `end.report.accepted`.
 */
export async function* importFile(input: ImportOptions): AsyncGenerator<ImportRecord> {
  for await (const batch of importFileBatches(input)) yield* batch;
}

/** Rows read between two batches: large enough to keep async overhead low, small enough to stay flat. */
const ROWS_PER_BATCH = 200;

/**
 * `importFile` in batches (arrays of records, in file order, `end` last): what a database
 * pipeline wants for COPY or multi-row inserts, and much cheaper than one await per record.
 */
export async function* importFileBatches(input: ImportOptions): AsyncGenerator<ImportRecord[]> {
  const options = resolveImportOptions(input);
  const problems = new ProblemLog(options.file.name, options.maxProblemsPerRule ?? 200);
  const counts: Partial<Record<ImportRecordKind, number>> = {};
  const decoded = decodeText(options.file.bytes, { problems, maxBytes: options.maxBytes });
  const records = csvRecords(decoded, problems)[Symbol.asyncIterator]();
  let reader: RowReader | null = null;
  let adapterId: string | null = null;
  let metaHash: string | null = null;
  let rows = 0;
  let last: CsvRecord | null = null;
  let previous: CsvRecord | null = null;
  let header: readonly string[] | null = null;
  let batch: ImportRecord[] = [];

  const drainProblems = (): void => {
    for (const problem of problems.drain()) batch.push({ kind: 'problem', problem });
  };
  const emit = (produced: Iterable<ImportRecord>): void => {
    for (const record of produced) {
      counts[record.kind] = (counts[record.kind] ?? 0) + 1;
      batch.push(record);
    }
    drainProblems();
  };
  const take = (): ImportRecord[] => {
    const out = batch;
    batch = [];
    return out;
  };

  try {
    // The header is the first line with any text (a stray blank first line is tolerated).
    for (let next = await records.next(); !next.done; next = await records.next()) {
      if (next.value.cells.some((c) => c.trim() !== '')) {
        header = next.value.cells.map((c) => c.trim());
        last = next.value;
        break;
      }
    }
    if (header !== null) {
      const context: AdapterContext = {
        fileName: options.file.name,
        header,
        problems,
        options,
        textState: decoded.state,
      };
      if (options.meta || looksLikeEesData(header)) {
        adapterId = 'ees-open-data';
        const opened = await openEesReader(context, options.meta);
        reader = opened.reader;
        metaHash = opened.metaContentHash;
      } else if (options.profile) {
        const adapter = mappingProfileAdapter(options.profile);
        adapterId = adapter.id;
        reader = adapter.open(context);
      } else {
        const adapter = detectAdapter(header, options.file.name);
        if (adapter) {
          adapterId = adapter.id;
          reader = adapter.open(context);
        } else if (header.length === 1 && separatorOf(header[0])) {
          // One "column" holding the names: Excel in many locales saves CSV with semicolons.
          const separator = separatorOf(header[0])!;
          problems.add('wrong_separator', {
            line: 1,
            value: header[0].slice(0, 80),
            message: `The columns are separated by ${separator.name} (${separator.shown}), not commas: the header is read as one column.`,
          });
        } else {
          const shown = header.slice(0, 8).join(', ');
          problems.add('unknown_file_format', {
            line: 1,
            value: shown,
            message: `The columns (${shown}${header.length > 8 ? ', …' : ''}) do not match any supported file format.`,
          });
        }
      }
    }
    drainProblems();
    if (reader) {
      let sinceBatch = 0;
      for (let next = await records.next(); !next.done; next = await records.next()) {
        const record = next.value;
        if (record.cells.every((c) => c.trim() === '')) {
          last = record;
          if (reader.readBlankRow) emit(reader.readBlankRow(record.line));
          drainProblems();
          continue;
        }
        rows += 1;
        previous = rows > 1 ? last : null;
        last = record;
        emit(reader.readRow(record.cells, record.line));
        if (++sinceBatch >= ROWS_PER_BATCH) {
          sinceBatch = 0;
          yield take();
        }
      }
      emit(reader.finish());
    }
  } finally {
    await records.return?.(undefined);
  }

  const state = decoded.state;
  if (!state.fatal) {
    if (header === null) {
      problems.add('empty_file', {
        message: 'The file is empty: it has no column names and no rows.',
      });
    } else if (
      reader &&
      rows === 0 &&
      !problems.hasRule('truncated_row') &&
      !problems.hasRule('malformed_csv')
    ) {
      problems.add('header_only', {
        line: 1,
        message: 'The file has a header row but no data rows.',
      });
    } else if (
      reader &&
      last &&
      looksCutOff(last, previous, header.length, state.endsWithLineBreak)
    ) {
      problems.add('truncated_row', {
        line: last.line,
        value: last.cells.at(-1) ?? null,
        message: `The last row stops after ${last.cells.length} of ${header.length} columns, far short of the row before it, and the file has no final line break: it looks cut off.`,
      });
    }
  }
  drainProblems();
  const report: ImportReport = {
    file: options.file.name,
    metaFile: options.meta?.name ?? null,
    adapter: adapterId,
    contentHash: state.contentHash,
    metaContentHash: metaHash,
    byteLength: state.byteLength,
    encoding: state.encoding,
    rows,
    counts,
    periods: reader ? uniquePeriods(reader.periods) : [],
    cells: reader?.cells ?? null,
    problemCounts: problems.countsByRule(),
    errorCount: problems.errorCount,
    warningCount: problems.warningCount,
    accepted: problems.errorCount === 0 && reader !== null,
  };
  batch.push({ kind: 'end', report });
  yield take();
}

/**
 * DfE files end without a line break and drop trailing empty cells, so a short last row is
 * normal. A cut-off download shows as a last row, with no line break after it, that is much
 * shorter (under 90%) than the row before it.
 */
function looksCutOff(
  last: CsvRecord,
  previous: CsvRecord | null,
  headerLength: number,
  endsWithLineBreak: boolean,
): boolean {
  if (endsWithLineBreak || last.cells.length >= headerLength) return false;
  const before = previous?.cells.length ?? headerLength;
  return last.cells.length < before * 0.9;
}

function uniquePeriods(periods: readonly Period[]): Period[] {
  const seen = new Map<string, Period>();
  for (const p of periods) seen.set(`${p.timePeriod}|${p.timeIdentifier}`, p);
  return [...seen.values()].sort((a, b) => a.timePeriod.localeCompare(b.timePeriod));
}

/** Everything an import produced, gathered in memory: for tests, small files and previews. */
export interface CollectedImport {
  readonly schools: SchoolRecord[];
  readonly observations: Observation[];
  /** Earlier years' figures repeated in the file (not stored; for comparison). */
  readonly earlierYearValues: Observation[];
  readonly summaryObservations: SummaryObservation[];
  readonly localAuthorities: LocalAuthorityRecord[];
  readonly columnDefinitions: ColumnDefinition[];
  readonly methodologyNotes: MethodologyNote[];
  readonly problems: Problem[];
  readonly report: ImportReport;
}

export async function collectImport(options: ImportOptions): Promise<CollectedImport> {
  const out = {
    schools: [],
    observations: [],
    earlierYearValues: [],
    summaryObservations: [],
    localAuthorities: [],
    columnDefinitions: [],
    methodologyNotes: [],
    problems: [],
  } as Omit<CollectedImport, 'report'> & { report?: ImportReport };
  for await (const batch of importFileBatches(options))
    for (const r of batch) {
      switch (r.kind) {
        case 'school':
          out.schools.push(r.school);
          break;
        case 'observation':
          out.observations.push(r.observation);
          break;
        case 'summary-observation':
          out.summaryObservations.push(r.observation);
          break;
        case 'local-authority':
          out.localAuthorities.push(r.localAuthority);
          break;
        case 'column-definition':
          out.columnDefinitions.push(r.definition);
          break;
        case 'methodology-note':
          out.methodologyNotes.push(r.note);
          break;
        case 'earlier-year-value':
          out.earlierYearValues.push(r.observation);
          break;
        case 'problem':
          out.problems.push(r.problem);
          break;
        case 'end':
          out.report = r.report;
          break;
      }
    }
  if (!out.report) throw new Error('import ended without a report');
  return out as CollectedImport;
}

/**
 * Reads a DfE `*_meta.csv` into the map `importFile` takes as `columnDefinitions`, so `NA`, `NE`
 * and `NP` are read by the file's own definitions.
 */
export async function readColumnDefinitions(
  file: NamedFile,
): Promise<{ definitions: Map<string, ColumnDefinition>; problems: Problem[] }> {
  const result = await collectImport({ file });
  const definitions = new Map<string, ColumnDefinition>();
  for (const d of result.columnDefinitions)
    if (!definitions.has(d.column)) definitions.set(d.column, d);
  return { definitions, problems: result.problems };
}

/** A separator other than the comma that splits a lone header cell into several names. */
function separatorOf(cell: string): { name: string; shown: string } | null {
  for (const [char, name, shown] of [
    [';', 'semicolons', ';'],
    ['\t', 'tabs', 'tab'],
    ['|', 'vertical bars', '|'],
  ] as const) {
    if (cell.split(char).length >= 3) return { name, shown };
  }
  return null;
}
