import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

import type { DecodedText } from '../bytes/text-decoding';
import type { ProblemSink } from '../problems/problem';

export interface CsvRecord {
  /** 1-based line where the record ends (the header is line 1). */
  readonly line: number;
  readonly cells: readonly string[];
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * CSV records from decoded text, streamed through csv-parse so memory does not grow with the
 * file. Ragged rows (fewer cells than the header, as DfE publishes for new schools) are allowed
 * here; a broken quote becomes a `truncated_row` or `malformed_csv` problem and ends the file.
 */
export async function* csvRecords(
  decoded: DecodedText,
  problems: ProblemSink,
): AsyncGenerator<CsvRecord> {
  const parser = parse({
    relax_column_count: true,
    info: true,
    skip_empty_lines: false,
  });
  const input = Readable.from(decoded.text, { objectMode: true });
  input.on('error', (error: Error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      yield { line: parsed.info.lines, cells: parsed.record };
    }
  } catch (error) {
    if (decoded.state.fatal) return;
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : null;
      if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
        problems.add('truncated_row', {
          line,
          message: 'A quoted cell is never closed: the file ends in the middle of a row.',
        });
      } else {
        problems.add('malformed_csv', {
          line,
          message: `The CSV structure is broken here (${error.message}).`,
        });
      }
      return;
    }
    throw error;
  } finally {
    input.destroy();
  }
}
