import type { ColumnMapping } from '../catalogue/measure-catalogue';
import type {
  Area,
  Observation,
  Period,
  SummaryObservation,
  SuppressionCode,
} from '../model/observation';
import type { ProblemSink } from '../problems/problem';
import { readCell } from '../values/cell-value';

/** One measured cell, before it is tied to a school or an area. */
export interface MeasuredCell {
  readonly measure: string;
  readonly breakdown: string;
  readonly value: number | null;
  readonly suppression: SuppressionCode | null;
  readonly sourceColumn: string;
  readonly denominator: number | undefined;
  readonly numerator: number | undefined;
  readonly sourceCode: string | undefined;
}

interface BoundColumn {
  readonly mapping: ColumnMapping;
  readonly index: number;
  readonly denominatorIndex: number;
  readonly numeratorIndex: number;
}

/** Finds a column by name, ignoring case and padding (DfE spells `TNotFSM6CLA1A` two ways). */
export function columnIndex(header: readonly string[]): (name: string | undefined) => number {
  const byName = new Map<string, number>();
  header.forEach((h, i) => {
    const key = h.trim().toUpperCase();
    if (!byName.has(key)) byName.set(key, i);
  });
  const cache = new Map<string, number>();
  return (name) => {
    if (name === undefined) return -1;
    let i = cache.get(name);
    if (i === undefined) {
      i = byName.get(name.trim().toUpperCase()) ?? -1;
      cache.set(name, i);
    }
    return i;
  };
}

// Object literals with one fixed shape: hundreds of thousands are built per national file.
export function schoolObservation(urn: string, period: Period, c: MeasuredCell): Observation {
  return {
    urn,
    measure: c.measure,
    period,
    breakdown: c.breakdown,
    value: c.value,
    suppression: c.suppression,
    sourceColumn: c.sourceColumn,
    denominator: c.denominator,
    numerator: c.numerator,
    sourceCode: c.sourceCode,
  } as Observation;
}

export function summaryObservation(
  area: Area,
  period: Period,
  c: MeasuredCell,
): SummaryObservation {
  return {
    area,
    measure: c.measure,
    period,
    breakdown: c.breakdown,
    value: c.value,
    suppression: c.suppression,
    sourceColumn: c.sourceColumn,
    denominator: c.denominator,
    numerator: c.numerator,
    sourceCode: c.sourceCode,
  } as SummaryObservation;
}

/**
 * Turns the catalogue's column mappings into values for each row: numbers, EES symbols for
 * DfE codes, and `non_numeric_value` / `out_of_range` problems for everything else.
 */
export class MeasureColumns {
  private readonly bound: readonly BoundColumn[];

  constructor(
    header: readonly string[],
    mappings: ReadonlyMap<string, ColumnMapping>,
    private readonly problems: ProblemSink,
    private readonly codes: ReadonlySet<string>,
  ) {
    const indexOf = columnIndex(header);
    const bound: BoundColumn[] = [];
    for (const mapping of mappings.values()) {
      const index = indexOf(mapping.column);
      if (index === -1) continue;
      bound.push({
        mapping,
        index,
        denominatorIndex: indexOf(mapping.denominatorColumn),
        numeratorIndex: indexOf(mapping.numeratorColumn),
      });
    }
    this.bound = bound.sort((a, b) => a.index - b.index);
  }

  /** Header positions that feed a measure. */
  get usedIndexes(): Set<number> {
    const used = new Set<number>();
    for (const b of this.bound) {
      used.add(b.index);
      if (b.denominatorIndex >= 0) used.add(b.denominatorIndex);
      if (b.numeratorIndex >= 0) used.add(b.numeratorIndex);
    }
    return used;
  }

  get size(): number {
    return this.bound.length;
  }

  /** Values of one row; `breakdown` overrides the mapping's (EES filters). */
  read(
    cells: readonly string[],
    line: number,
    resolveCode: (token: string, column: string) => SuppressionCode | null,
    breakdown?: string,
  ): MeasuredCell[] {
    const out: MeasuredCell[] = [];
    for (const b of this.bound) {
      const raw = cells[b.index];
      // Ragged rows (new schools) simply have no value for the missing cells.
      if (raw === undefined) continue;
      const cell = readCell(raw, this.codes);
      if (cell.kind === 'blank') continue;
      const { mapping } = b;
      const column = mapping.column;
      if (cell.kind === 'code') {
        const code = resolveCode(cell.token, column);
        if (code) {
          out.push({
            measure: mapping.measure.code,
            breakdown: breakdown ?? mapping.breakdown,
            value: null,
            suppression: code,
            sourceColumn: column,
            // The cohort still matters for a suppressed value: it is why it was suppressed.
            denominator: this.numberAt(cells, b.denominatorIndex),
            numerator: undefined,
            sourceCode: cell.token,
          });
          continue;
        }
      }
      if (cell.kind !== 'number') {
        this.problems.add('non_numeric_value', {
          line,
          column,
          value: raw,
          message: `"${raw.trim()}" in ${column} is not a number or a recognised code.`,
        });
        continue;
      }
      const { unit } = mapping.measure;
      // toPrecision keeps 0.041 × 100 at 4.1 rather than 4.1000000000000005.
      const value =
        mapping.scale === undefined
          ? cell.value
          : Number((cell.value * mapping.scale).toPrecision(15));
      if ((unit === 'percent' && (value < 0 || value > 100)) || (unit === 'count' && value < 0)) {
        this.problems.add('out_of_range', {
          line,
          column,
          value: raw,
          message:
            unit === 'percent'
              ? `${column} is a percentage but holds ${value}, outside 0 to 100.`
              : `${column} is a count but holds ${value}, below zero.`,
        });
        continue;
      }
      out.push({
        measure: mapping.measure.code,
        breakdown: breakdown ?? mapping.breakdown,
        value,
        suppression: null,
        sourceColumn: column,
        denominator: this.numberAt(cells, b.denominatorIndex),
        numerator: this.numberAt(cells, b.numeratorIndex),
        sourceCode: undefined,
      });
    }
    return out;
  }

  private numberAt(cells: readonly string[], index: number): number | undefined {
    if (index < 0) return undefined;
    const cell = readCell(cells[index] ?? '', this.codes);
    return cell.kind === 'number' ? cell.value : undefined;
  }
}
