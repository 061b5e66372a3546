/**
 * A number from a DfE performance-tables cell, or undefined when the cell holds no usable
 * number: empty, a suppression or not-applicable code (`NA`, `SUPP`, `NE`, `NP`, `LOWCOV`, `x`,
 * `c`, `z`, `low`, `u`...). Accepts `%` signs and quoted thousands separators ("1,234").
 */
export function parseCensusNumber(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  let text = cell.trim();
  if (text.endsWith('%')) text = text.slice(0, -1).trimEnd();
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
