import { formatPeriod, formatValue } from './number-format';

/**
 * Server-rendered SVG charts: strings, no client library. Colours from the Analysis Function
 * palette; each chart is an `img` with a title and a description that says what it shows in
 * words, and the page puts a table of the same numbers beside it. Lines differ by dash and marker
 * as well as colour, so they read in greyscale print.
 */
export const PALETTE = {
  darkBlue: '#12436D',
  turquoise: '#28A197',
  darkPink: '#801650',
  orange: '#F46A25',
  darkGrey: '#3D3D3D',
  lightPurple: '#A285D1',
  lightGrey: '#BFC1C3',
} as const;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A linear map from a domain to a range. */
export function linearScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): (x: number) => number {
  const span = d1 - d0 || 1;
  return (x) => r0 + ((x - d0) / span) * (r1 - r0);
}

/** Round, readable axis bounds around the values (with a little room either side). */
export function niceDomain(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const step = 10 ** Math.floor(Math.log10(hi - lo));
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

function ticks([lo, hi]: readonly [number, number], count = 5): number[] {
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step / 1e6; t += step) {
    out.push(Number(t.toFixed(10)));
  }
  return out;
}

function svg(
  id: string,
  width: number,
  height: number,
  title: string,
  desc: string,
  body: string,
): string {
  return (
    `<svg class="sb-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="arial, sans-serif" ` +
    `width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(desc)}</desc>` +
    `${body}</svg>`
  );
}

export interface BoxPlotInput {
  id: string;
  measureLabel: string;
  unit?: string;
  decimals?: number;
  lowerQuartile: number;
  median: number;
  upperQuartile: number;
  /** The school's value; absent when suppressed or missing. */
  value: number | null;
  schoolName: string;
}

/** The group's middle half as a box, its median as a line, the school as a marked diamond. */
export function boxPlot(input: BoxPlotInput): string {
  const { unit, decimals } = input;
  const fmt = (v: number) => formatValue(v, unit, decimals);
  const width = 600;
  const height = 110;
  const values = [input.lowerQuartile, input.median, input.upperQuartile];
  if (input.value !== null) values.push(input.value);
  const domain = niceDomain(values);
  const x = linearScale(domain, [30, width - 30]);
  const boxTop = 26;
  const boxBottom = 62;
  const axisY = 80;
  const parts: string[] = [];
  parts.push(
    `<rect x="${x(input.lowerQuartile).toFixed(1)}" y="${boxTop}" width="${(x(input.upperQuartile) - x(input.lowerQuartile)).toFixed(1)}" height="${boxBottom - boxTop}" fill="${PALETTE.lightGrey}" fill-opacity="0.6" stroke="${PALETTE.darkGrey}" stroke-width="1.5"/>`,
    `<line x1="${x(input.median).toFixed(1)}" x2="${x(input.median).toFixed(1)}" y1="${boxTop - 4}" y2="${boxBottom + 4}" stroke="${PALETTE.orange}" stroke-width="4"/>`,
    `<line x1="30" x2="${width - 30}" y1="${axisY}" y2="${axisY}" stroke="${PALETTE.darkGrey}" stroke-width="1"/>`,
  );
  for (const t of ticks(domain)) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${axisY}" y2="${axisY + 5}" stroke="${PALETTE.darkGrey}"/>`,
      `<text x="${x(t).toFixed(1)}" y="${axisY + 20}" text-anchor="middle" font-size="14" fill="${PALETTE.darkGrey}">${escapeXml(fmt(t))}</text>`,
    );
  }
  if (input.value !== null) {
    const cx = x(input.value);
    const cy = (boxTop + boxBottom) / 2;
    parts.push(
      `<path d="M${cx.toFixed(1)} ${cy - 11} l11 11 l-11 11 l-11 -11 z" fill="${PALETTE.darkBlue}" stroke="#ffffff" stroke-width="2"/>`,
      // Anchored away from the nearer edge, so the label never runs off the chart.
      `<text x="${cx.toFixed(1)}" y="16" text-anchor="${cx > width * 0.6 ? 'end' : cx < width * 0.4 ? 'start' : 'middle'}" font-size="14" font-weight="bold" fill="${PALETTE.darkBlue}">${escapeXml(`${input.schoolName}: ${fmt(input.value)}`)}</text>`,
    );
  }
  const desc =
    `Box plot. The similar-school group's middle half runs from ${fmt(input.lowerQuartile)} ` +
    `(lower quartile) to ${fmt(input.upperQuartile)} (upper quartile), with the median at ` +
    `${fmt(input.median)}. ` +
    (input.value === null
      ? `${input.schoolName} has no value to show.`
      : `${input.schoolName} is at ${fmt(input.value)}.`);
  return svg(
    input.id,
    width,
    height,
    `${input.measureLabel}: school against its group`,
    desc,
    parts.join(''),
  );
}

export interface TrendInput {
  id: string;
  measureLabel: string;
  unit?: string;
  decimals?: number;
  periods: readonly string[];
  school: readonly (number | null)[];
  groupMedian: readonly (number | null)[];
  schoolName: string;
}

/** The school's values over the periods as a solid line, the group median's as a dashed one. */
export function trendLine(input: TrendInput): string {
  const { unit, decimals } = input;
  const fmt = (v: number) => formatValue(v, unit, decimals);
  const width = 600;
  const height = 240;
  const left = 70;
  const right = width - 20;
  const top = 40;
  const bottom = height - 40;
  const all = [...input.school, ...input.groupMedian].filter((v): v is number => v !== null);
  const domain = niceDomain(all);
  const y = linearScale(domain, [bottom, top]);
  const n = input.periods.length;
  const x = (i: number) => (n === 1 ? (left + right) / 2 : left + (i * (right - left)) / (n - 1));
  const parts: string[] = [];
  for (const t of ticks(domain, 4)) {
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="${PALETTE.lightGrey}" stroke-width="1"/>`,
      `<text x="${left - 8}" y="${(y(t) + 5).toFixed(1)}" text-anchor="end" font-size="14" fill="${PALETTE.darkGrey}">${escapeXml(fmt(t))}</text>`,
    );
  }
  input.periods.forEach((p, i) => {
    parts.push(
      `<text x="${x(i).toFixed(1)}" y="${bottom + 24}" text-anchor="middle" font-size="14" fill="${PALETTE.darkGrey}">${escapeXml(formatPeriod(p))}</text>`,
    );
  });
  const line = (
    values: readonly (number | null)[],
    colour: string,
    dash: string,
    marker: 'circle' | 'square',
  ) => {
    const points = values
      .map((v, i) => (v === null ? null : ([x(i), y(v)] as const)))
      .filter((p): p is readonly [number, number] => p !== null);
    if (points.length > 1) {
      parts.push(
        `<polyline points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      );
    }
    for (const [px, py] of points) {
      parts.push(
        marker === 'circle'
          ? `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="6" fill="${colour}"/>`
          : `<rect x="${(px - 5).toFixed(1)}" y="${(py - 5).toFixed(1)}" width="10" height="10" fill="${colour}"/>`,
      );
    }
  };
  line(input.groupMedian, PALETTE.orange, '8 5', 'square');
  line(input.school, PALETTE.darkBlue, '', 'circle');
  // Legend, in words as well as swatches.
  parts.push(
    `<line x1="${left}" x2="${left + 30}" y1="14" y2="14" stroke="${PALETTE.darkBlue}" stroke-width="3"/><circle cx="${left + 15}" cy="14" r="5" fill="${PALETTE.darkBlue}"/>`,
    `<text x="${left + 38}" y="19" font-size="14" fill="${PALETTE.darkGrey}">${escapeXml(input.schoolName)}</text>`,
    `<line x1="${left + 300}" x2="${left + 330}" y1="14" y2="14" stroke="${PALETTE.orange}" stroke-width="3" stroke-dasharray="8 5"/><rect x="${left + 310}" y="9" width="10" height="10" fill="${PALETTE.orange}"/>`,
    `<text x="${left + 338}" y="19" font-size="14" fill="${PALETTE.darkGrey}">Group median</text>`,
  );
  const said = (values: readonly (number | null)[]) =>
    input.periods
      .map((p, i) => `${formatPeriod(p)}: ${values[i] === null ? 'no value' : fmt(values[i])}`)
      .join(', ');
  const desc = `Line chart over ${n} years. ${input.schoolName}: ${said(input.school)}. Group median: ${said(input.groupMedian)}.`;
  return svg(input.id, width, height, `${input.measureLabel}: trend`, desc, parts.join(''));
}

/** A feature's share of the distance as a small horizontal bar (0–100%). */
export function shareBar(id: string, label: string, share: number): string {
  const width = 120;
  const clamped = Math.max(0, Math.min(1, share));
  const percent = Math.round(clamped * 100);
  const body =
    `<rect x="0" y="2" width="${width}" height="12" fill="#ffffff" stroke="${PALETTE.darkGrey}" stroke-width="1"/>` +
    `<rect x="0" y="2" width="${(clamped * width).toFixed(1)}" height="12" fill="${PALETTE.turquoise}"/>`;
  return svg(
    id,
    width,
    16,
    `${label}: ${percent}% of the distance`,
    `A bar ${percent}% full.`,
    body,
  ).replace('width="100%"', `width="${width}" height="16"`);
}
