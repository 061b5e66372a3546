export type CellValue =
  | { readonly kind: 'blank' }
  | { readonly kind: 'number'; readonly value: number; readonly hadPercentSign: boolean }
  | { readonly kind: 'code'; readonly token: string }
  | { readonly kind: 'invalid'; readonly raw: string };

const BLANK: CellValue = { kind: 'blank' };
const PLAIN = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * Reads one published cell: trims the padding DfE leaves (`NA `, `-   `), drops `%` signs, a
 * leading `£` and thousands separators (`"1,234"`), and recognises special codes. A cell is only
 * a number when all of it is; anything else is `invalid` for the caller to report.
 */
export function readCell(raw: string, codes: ReadonlySet<string>): CellValue {
  let text = raw.trim();
  if (text === '') return BLANK;
  if (codes.has(text) || codes.has(text.toUpperCase())) return { kind: 'code', token: text };
  let hadPercentSign = false;
  if (text.endsWith('%')) {
    hadPercentSign = true;
    text = text.slice(0, -1).trimEnd();
  }
  if (text.startsWith('£')) text = text.slice(1);
  else if (/^-£/.test(text)) text = `-${text.slice(2)}`;
  if (GROUPED.test(text)) text = text.replace(/,/g, '');
  if (!PLAIN.test(text)) return { kind: 'invalid', raw };
  const value = Number(text);
  return Number.isFinite(value)
    ? { kind: 'number', value, hadPercentSign }
    : { kind: 'invalid', raw };
}
