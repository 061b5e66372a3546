import { parse } from 'csv-parse/sync';

import { ProblemLog } from '@schoolbench/data-format-core';

/** Ofsted's overall effectiveness judgements, best first (grades 1–4). */
export const INSPECTION_JUDGEMENTS = [
  'outstanding',
  'good',
  'requires_improvement',
  'inadequate',
] as const;
export type InspectionJudgement = (typeof INSPECTION_JUDGEMENTS)[number];

/** An LA's category for a school it is concerned about; `none` lifts a category. */
export const CAUSING_CONCERN = 'school_causing_concern';

/** Judgements that make a school one to watch (docs/targets.md §5). */
export function isConcerningJudgement(judgement: string): boolean {
  return judgement === 'requires_improvement' || judgement === 'inadequate';
}

/**
 * "Requires improvement", "RI", "3" (Ofsted's grade) or `requires_improvement` →
 * `requires_improvement`; anything else → null.
 */
export function inspectionJudgement(text: string): InspectionJudgement | null {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const grades: Record<string, InspectionJudgement> = {
    '1': 'outstanding',
    '2': 'good',
    '3': 'requires_improvement',
    '4': 'inadequate',
    ri: 'requires_improvement',
    satisfactory: 'requires_improvement',
  };
  if ((INSPECTION_JUDGEMENTS as readonly string[]).includes(t)) return t as InspectionJudgement;
  return grades[t] ?? null;
}

/** A category code: snake_case, 1–40 characters ("School causing concern" → school_causing_concern). */
export function categoryCode(text: string): string | null {
  const code = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return /^[a-z][a-z0-9_]{0,39}$/.test(code) ? code : null;
}

/** `2019-03-14` or `14/03/2019` → `2019-03-14` if it is a real day not after `today`; else null. */
export function judgementDate(text: string, today: string): string | null {
  const t = text.trim();
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const iso = uk
    ? `${uk[3]}-${uk[2].padStart(2, '0')}-${uk[1].padStart(2, '0')}`
    : /^\d{4}-\d{2}-\d{2}$/.test(t)
      ? t
      : null;
  if (!iso) return null;
  const day = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== iso) return null;
  return iso <= today ? iso : null;
}

export interface JudgementCsvRow {
  readonly line: number;
  readonly urn: number;
  readonly judgement: InspectionJudgement;
  readonly date: string;
  readonly source: string;
}

/**
 * Inspection judgements from a CSV: `URN, judgement, date` (any case and order), `source`
 * optional (default `csv import`). Every problem with line, column, value and rule; the caller
 * writes nothing unless there are none, and checks the URNs are its own (`unknown_urn`).
 */
export function parseJudgementCsv(
  text: string,
  today: string,
  file = 'judgements.csv',
): { rows: JudgementCsvRow[]; problems: ProblemLog } {
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
  if (!header || body.length === 0) {
    problems.add(header ? 'header_only' : 'empty_file', { message: 'The file has no judgements' });
    return { rows: [], problems };
  }
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = ['urn', 'judgement', 'date'].filter((n) => !names.includes(n));
  if (missing.length > 0) {
    problems.add('missing_judgement_column', {
      line: 1,
      message: `The header lacks ${missing.join(', ')} (it needs URN, judgement, date; source is optional)`,
      fix: 'Add the missing columns to the first line and upload the file again.',
    });
    return { rows: [], problems };
  }
  const rows: JudgementCsvRow[] = [];
  body.forEach((cells, i) => {
    const line = i + 2;
    const cell = (name: string) =>
      (names.includes(name) ? (cells[names.indexOf(name)] ?? '') : '').trim();
    let ok = true;
    const urnText = cell('urn');
    if (!/^\d{6,7}$/.test(urnText)) {
      ok = false;
      problems.add('invalid_urn', {
        line,
        column: 'URN',
        value: urnText,
        message: `"${urnText}" is not a URN`,
        fix: 'Give the school’s 6-digit URN.',
      });
    }
    const judgement = inspectionJudgement(cell('judgement'));
    if (!judgement) {
      ok = false;
      problems.add('unknown_judgement', {
        line,
        column: 'judgement',
        value: cell('judgement'),
        message: `"${cell('judgement')}" is not an inspection judgement`,
        fix: 'Use Outstanding, Good, Requires improvement or Inadequate (or grades 1–4).',
      });
    }
    const date = judgementDate(cell('date'), today);
    if (!date) {
      ok = false;
      problems.add('invalid_judgement_date', {
        line,
        column: 'date',
        value: cell('date'),
        message: `"${cell('date')}" is not a past date`,
        fix: 'Write the inspection date as 2019-03-14 or 14/03/2019.',
      });
    }
    const source = cell('source') || 'csv import';
    if (source.length > 200) {
      ok = false;
      problems.add('source_too_long', {
        line,
        column: 'source',
        value: source.slice(0, 40),
        message: 'The source is longer than 200 characters',
        fix: 'Shorten it, e.g. "Ofsted report 2019-03-14".',
      });
    }
    if (ok && judgement && date) rows.push({ line, urn: Number(urnText), judgement, date, source });
  });
  return { rows, problems };
}
