import { parse } from 'csv-parse/sync';

import {
  isBreakdownCode,
  isSixDigitPeriod,
  ProblemLog,
  type MeasureCatalogue,
} from '@schoolbench/data-format-core';

import { targetValueProblem } from './target-rules';

/** One target of a bulk file, with the line it came from. */
export interface TargetCsvRow {
  readonly line: number;
  readonly urn: number;
  readonly measure: string;
  readonly period: number;
  readonly breakdown: string;
  readonly value: number;
}

export interface TargetCsv {
  readonly rows: readonly TargetCsvRow[];
  readonly problems: ProblemLog;
}

const REQUIRED = ['urn', 'measure', 'period', 'target'] as const;
const MAX_ROWS = 50_000;

/** `2018/19` or `201819` → 201819; anything else → null. */
function period(text: string): number | null {
  const t = text.trim();
  const slash = /^(\d{4})\/(\d{2})$/.exec(t);
  const ees = slash ? `${slash[1]}${slash[2]}` : t;
  return isSixDigitPeriod(ees) ? Number(ees) : null;
}

/**
 * Reads a bulk target file: a header with `URN`, `measure`, `period`, `target` (any case, any
 * order) and optionally `breakdown`. Every problem is reported with its line, column, value and
 * rule, as the importer's validation report does; the caller writes nothing unless there are
 * none. Whether each URN is one of the authority's schools is the caller's check (`unknown_urn`).
 */
export function parseTargetCsv(
  text: string,
  catalogue: MeasureCatalogue,
  file = 'targets.csv',
): TargetCsv {
  const problems = new ProblemLog(file);
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    problems.add('malformed_csv', {
      message: `Not a readable CSV file: ${error instanceof Error ? error.message : String(error)}`,
    });
    return { rows: [], problems };
  }
  const [header, ...body] = records;
  if (!header) {
    problems.add('empty_file', { message: 'The file is empty' });
    return { rows: [], problems };
  }
  const names = header.map((h) => h.trim().toLowerCase());
  const at = (name: string): number => names.indexOf(name);
  const missing = REQUIRED.filter((name) => at(name) < 0);
  if (missing.length > 0) {
    problems.add('missing_target_column', {
      line: 1,
      message: `The header lacks ${missing.join(', ')} (it needs URN, measure, period, target; breakdown is optional)`,
      fix: 'Add the missing columns to the first line and upload the file again.',
    });
    return { rows: [], problems };
  }
  if (body.length === 0) {
    problems.add('header_only', { message: 'The file has a header but no targets' });
    return { rows: [], problems };
  }
  if (body.length > MAX_ROWS) {
    problems.add('too_many_targets', {
      message: `The file has ${body.length} rows; at most ${MAX_ROWS} targets go in one file`,
      fix: 'Split the file and upload the parts one by one.',
    });
    return { rows: [], problems };
  }
  const rows: TargetCsvRow[] = [];
  const seen = new Map<string, number>();
  body.forEach((cells, i) => {
    const line = i + 2;
    const cell = (name: string): string => (cells[at(name)] ?? '').trim();
    const bad = (rule: string, column: string, value: string, message: string, fix: string) =>
      problems.add(rule, { line, column, value, message, fix });
    let ok = true;
    const urnText = cell('urn');
    const urn = /^\d{6,7}$/.test(urnText) ? Number(urnText) : null;
    if (urn === null) {
      ok = false;
      bad(
        'invalid_urn',
        'URN',
        urnText,
        `"${urnText}" is not a URN`,
        'Give the school’s 6-digit URN.',
      );
    }
    const code = cell('measure');
    const measure = catalogue.measure(code);
    if (!measure) {
      ok = false;
      bad(
        'unknown_measure',
        'measure',
        code,
        `"${code}" is not a measure of the catalogue`,
        'Use a measure code from the catalogue (the measures query), e.g. ks2_rwm_expected_pct.',
      );
    }
    const periodText = cell('period');
    const p = period(periodText);
    if (p === null) {
      ok = false;
      bad(
        'invalid_period',
        'period',
        periodText,
        `"${periodText}" is not an academic year`,
        'Write the academic year as 2018/19 or 201819.',
      );
    }
    const breakdown = at('breakdown') >= 0 && cell('breakdown') !== '' ? cell('breakdown') : 'all';
    if (!isBreakdownCode(breakdown)) {
      ok = false;
      bad(
        'invalid_breakdown',
        'breakdown',
        breakdown,
        `"${breakdown}" is not a pupil-group breakdown code`,
        'Leave it empty for all pupils, or use a code such as disadvantaged.',
      );
    }
    const valueText = cell('target');
    const value = valueText === '' ? NaN : Number(valueText.replace(/%$/, ''));
    if (measure) {
      const wrong = targetValueProblem(measure, value);
      if (wrong) {
        ok = false;
        bad(
          'target_out_of_range',
          'target',
          valueText,
          wrong,
          'Give a target the measure can reach.',
        );
      }
    } else if (!Number.isFinite(value)) {
      ok = false;
      bad(
        'target_out_of_range',
        'target',
        valueText,
        `"${valueText}" is not a number`,
        'Give a number.',
      );
    }
    if (!ok || urn === null || p === null || !measure) return;
    const key = `${urn}|${measure.code}|${p}|${breakdown}`;
    const first = seen.get(key);
    if (first !== undefined) {
      bad(
        'duplicate_target',
        'URN',
        urnText,
        `School ${urn} has a second ${measure.code} target for ${periodText} (first on line ${first})`,
        'Keep one target per school, measure, period and breakdown.',
      );
      return;
    }
    seen.set(key, line);
    rows.push({ line, urn, measure: measure.code, period: p, breakdown, value });
  });
  return { rows, problems };
}
