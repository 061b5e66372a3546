import type { ObservedValue } from '@schoolbench/comparisons-core';

const EMPTY: ReadonlyMap<number, ObservedValue> = new Map();

/**
 * Observations a comparison reads, held by (measure, period, breakdown) → URN → value or EES
 * suppression code. No observation at all is simply absent (read as missing, never as 0).
 */
export class ObservationTable {
  private readonly columns = new Map<string, Map<number, ObservedValue>>();

  private static key(measure: string, period: string, breakdown: string): string {
    return `${measure}|${period}|${breakdown}`;
  }

  set(measure: string, period: string, breakdown: string, urn: number, value: ObservedValue): void {
    const key = ObservationTable.key(measure, period, breakdown);
    let column = this.columns.get(key);
    if (!column) {
      column = new Map();
      this.columns.set(key, column);
    }
    column.set(urn, value);
  }

  column(measure: string, period: string, breakdown = 'all'): ReadonlyMap<number, ObservedValue> {
    return this.columns.get(ObservationTable.key(measure, period, breakdown)) ?? EMPTY;
  }

  /** Whether anything at all was observed for the measure in the period. */
  has(measure: string, period: string, breakdown = 'all'): boolean {
    return this.column(measure, period, breakdown).size > 0;
  }

  get(measure: string, period: string, breakdown: string, urn: number): ObservedValue | undefined {
    return this.column(measure, period, breakdown).get(urn);
  }

  /** Every observation as [measure, period, breakdown, urn, value]. */
  *entries(): Generator<[string, string, string, number, ObservedValue]> {
    for (const [key, column] of this.columns) {
      const [measure, period, breakdown] = key.split('|') as [string, string, string];
      for (const [urn, value] of column) yield [measure, period, breakdown, urn, value];
    }
  }
}
