/** EES time period 201819 → "2018/19"; other strings pass through. */
export function formatPeriod(period: string | number | null | undefined): string {
  const p = String(period ?? '');
  return /^\d{6}$/.test(p) ? `${p.slice(0, 4)}/${p.slice(4)}` : p;
}

/** A number as the measure shows it: its decimals, % for percentages, thousands separators. */
export function formatValue(value: number | null | undefined, unit?: string, decimals = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  const text = value.toLocaleString('en-GB', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
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
