/** EES time period 201819 → "2018/19"; other strings pass through. */
export function formatPeriod(period: string | number | null | undefined): string {
  const p = String(period ?? '');
  return /^\d{6}$/.test(p) ? `${p.slice(0, 4)}/${p.slice(4)}` : p;
}

/**
 * One formatter per number of decimals: `toLocaleString` with options builds a new
 * `Intl.NumberFormat` on every call, which was the largest share of a benchmarks page's CPU time
 * (hundreds of numbers, axis ticks included).
 */
const NUMBER_FORMATS = new Map<number, Intl.NumberFormat>();

function numberFormat(decimals: number): Intl.NumberFormat {
  let format = NUMBER_FORMATS.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat('en-GB', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    NUMBER_FORMATS.set(decimals, format);
  }
  return format;
}

/** A number as the measure shows it: its decimals, % for percentages, thousands separators. */
export function formatValue(value: number | null | undefined, unit?: string, decimals = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  const text = numberFormat(decimals).format(value);
  if (unit === 'percent') return `${text}%`;
  if (unit === 'gbp') return `£${text}`;
  return text;
}

/** A signed difference: +2.5 or −1.0 (a real minus sign, read correctly by screen readers). */
export function formatSigned(
  value: number | null | undefined,
  unit?: string,
  decimals = 1,
): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  const magnitude = formatValue(Math.abs(value), unit === 'percent' ? 'points' : unit, decimals);
  const suffix = unit === 'percent' ? ' percentage points' : '';
  if (value === 0) return `${magnitude}${suffix}`;
  return `${value > 0 ? '+' : '−'}${magnitude}${suffix}`;
}
