#!/usr/bin/env node
// Generates libs/data-format-core/src/lib/catalogue/measure-catalogue-v2.ts from DfE's own
// column definitions (the KS2/KS4 meta files under ../shared/data/dfe) and the headers of the
// census, absence and CFR files, using the hand-reviewed vocabulary in dfe-vocabulary.mjs.
// Every column of every file is placed: a measure (value, cohort or confidence limit), or a
// column deliberately not stored, with the reason. An unplaced column stops the generator.
//
//   npm run build && node tools/catalogue/generate-measure-catalogue.mjs && npx prettier --write libs/data-format-core/src/lib/catalogue/measure-catalogue-v2.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  ASSUMED_YEARS,
  CFR_CATEGORIES,
  CFR_TREND_CATEGORIES,
  COHORT_COLUMNS,
  FLAT_COLUMNS,
  KS_DENOMINATORS,
  KS2_STEMS,
  KS4_STEMS,
  LABELS,
  PROGRESS8_DENOMINATORS,
  SCHOOL_DETAILS,
  SCHOOL_DETAILS_REASON,
  splitColumn,
} from './dfe-vocabulary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'dfe');
// Catalogue 2026.1, the hand-made one: its measure codes keep their meaning and its non-DfE
// sources. It is only this generator's input; the product loads the generated v2.
const MEASURE_CATALOGUE_V1 = JSON.parse(
  readFileSync(join(root, 'tools/catalogue/measure-catalogue-2026.1.json'), 'utf8'),
);

// ---- inputs: columns per format and year, with DfE's descriptions --------------------------
function csvRows(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (row.push(cell), (cell = ''));
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      (row.push(cell), rows.push(row), (row = []), (cell = ''));
    } else cell += ch;
  }
  if (cell || row.length) (row.push(cell), rows.push(row));
  return rows;
}
const read = (path) => readFileSync(path, 'latin1').replace(/^\u00ef\u00bb\u00bf/, '');
const header = (path) => csvRows(read(path).split(/\r?\n/)[0])[0].map((h) => h.trim());
const period = (endYear) => `${endYear - 1}${String(endYear).slice(2)}`;

/** format → year → Map(column → description) */
const vocab = {};
function add(format, year, column, description = '') {
  const byYear = (vocab[format] ??= {});
  const cols = (byYear[year] ??= new Map());
  if (!cols.has(column) || (description && !cols.get(column))) cols.set(column, description);
}
const hants = join(data, 'la-850-hampshire');
for (const f of readdirSync(hants)) {
  const m = f.match(/^(\d{4})[-_](\d{4})_(ks2|ks4_final)_meta\.csv$/);
  if (!m) continue;
  const format = m[3] === 'ks2' ? 'dfe-ks2' : 'dfe-ks4';
  for (const r of csvRows(read(join(hants, f))).slice(1)) {
    if (r[1]?.trim()) add(format, period(Number(m[2])), r[1].trim(), (r[2] ?? '').trim());
  }
}
const census = Object.fromEntries(
  csvRows(read(join(data, 'la-815-north-yorkshire', 'census_meta.csv')))
    .slice(1)
    .map((r) => [r[1], r[2]]),
);
const cfr = Object.fromEntries(
  csvRows(read(join(data, 'la-815-north-yorkshire', 'cfr_meta.csv')))
    .slice(1)
    .map((r) => [r[0], r[1].replace(/&pound;/g, '£')]),
);
for (const dir of readdirSync(data)) {
  for (const f of readdirSync(join(data, dir))) {
    const path = join(data, dir, f);
    let m;
    if (
      (m = f.match(/^\d{3}_(\d{4})_census\.csv$/)) ||
      (m = f.match(/^(\d{4})-\d{4}_england_census/))
    )
      for (const c of header(path))
        add('dfe-census', period(Number(m[1]) + (f.startsWith('2') ? 1 : 0)), c, census[c]);
    else if ((m = f.match(/^\d{4}-(\d{4})_england_abs\.csv$/)))
      for (const c of header(path)) add('dfe-absence', period(Number(m[1])), c);
    else if ((m = f.match(/^\d{3}_(\d{4})_cfr\.csv$/))) {
      const cols = header(path);
      const newest = Math.max(...cols.map((c) => c.match(/^T\d\d(\d\d)CAT/)?.[1] ?? 0).map(Number));
      for (const c of cols) add('dfe-cfr', period(2000 + newest), c, cfr[c]);
    } else if (
      (m = f.match(
        /(\d{4})_england_ks(2|4)final_extract\.csv$|^\d{3}_(\d{4})_ks4provisional\.csv$|(\d{4})_england_ks4provisional/,
      ))
    ) {
      const year = Number(m[1] ?? m[3] ?? m[4]);
      const format = m[2] === '2' ? 'dfe-ks2' : 'dfe-ks4';
      for (const c of header(path)) add(format, period(year), c);
    } else if (
      (m = f.match(/^\d{4}-(\d{4})_850_ks(2|4)final\.csv$|^\d{3}_(\d{4})_ks4final\.csv$/))
    ) {
      const format = m[2] === '2' ? 'dfe-ks2' : 'dfe-ks4';
      for (const c of header(path)) add(format, period(Number(m[1] ?? m[3])), c);
    }
  }
}

for (const [format, years] of Object.entries(ASSUMED_YEARS)) {
  for (const [year, from] of Object.entries(years))
    vocab[format][year] ??= new Map(vocab[format][from]);
}

// ---- placing each column -------------------------------------------------------------------
const measures = new Map(); // code → { spec, label, sources: Map(format → Map(year → {columns, denominators})) }
const notStored = new Map(); // `${format}|${reason}` → Map(column → { years:Set, copyOf? })
const unplaced = [];

const v1 = new Map(MEASURE_CATALOGUE_V1.measures.map((m) => [m.code, m]));
const phasesOf = (format, code) =>
  code.startsWith('ks2_')
    ? ['primary']
    : code.startsWith('ks4_')
      ? ['secondary']
      : code.startsWith('cohort_') || code === 'non_mobile_pct'
        ? ['primary', 'secondary']
        : ['primary', 'secondary', 'special', 'all_through', 'nursery', 'pru'];

function measureEntry(code, spec, format, description) {
  let entry = measures.get(code);
  if (!entry) {
    // A measure of catalogue v1 keeps its unit, polarity and category.
    const [, unit, polarity, category, decimals] = v1.has(code)
      ? [
          code,
          v1.get(code).unit,
          v1.get(code).polarity,
          v1.get(code).category,
          v1.get(code).decimals,
        ]
      : spec;
    entry = {
      code,
      unit,
      polarity,
      category,
      decimals,
      phases: phasesOf(format, code),
      label: '',
      sources: new Map(),
    };
    measures.set(code, entry);
  }
  if (description && !entry.label) entry.label = description;
  return entry;
}

function place(format, year, column, spec, code, breakdown, description) {
  const entry = measureEntry(code, spec, format, breakdown === 'all' ? description : '');
  if (!entry.label && description) entry.fallbackLabel ??= description;
  const byYear = entry.sources.get(format) ?? entry.sources.set(format, new Map()).get(format);
  const src =
    byYear.get(year) ??
    byYear.set(year, { columns: {}, denominators: {}, numerators: {} }).get(year);
  if (src.columns[breakdown] && src.columns[breakdown] !== column)
    throw new Error(
      `${format} ${year}: ${code}/${breakdown} fed by ${src.columns[breakdown]} and ${column}`,
    );
  src.columns[breakdown] = column;
}

function skip(format, year, column, reason, copyOf) {
  const key = `${format}|${reason}`;
  const byColumn = notStored.get(key) ?? notStored.set(key, new Map()).get(key);
  const entry =
    byColumn.get(column) ?? byColumn.set(column, { years: new Set(), copyOf: {} }).get(column);
  entry.years.add(year);
  if (copyOf) entry.copyOf[year] = copyOf;
}

const pctSpec = (code) => [code, 'percent', 'neutral', 'context', 1];
const countSpec = (code) => [code, 'count', 'neutral', 'context', 0];

/** What a KS2/KS4 column (without year suffix) feeds: [spec, code, breakdown] or null. */
function resolveKeyStage(format, name) {
  const cohort = COHORT_COLUMNS[format][name.toUpperCase()];
  if (cohort) {
    const [code, breakdown] = cohort;
    const unit = /_pct$/.test(code)
      ? pctSpec(code)
      : code.endsWith('_aps')
        ? [code, 'score', 'neutral', 'context', 1]
        : countSpec(code);
    return { spec: unit, code, breakdown };
  }
  const parts = splitColumn(format, name);
  const stems = format === 'dfe-ks2' ? KS2_STEMS : KS4_STEMS;
  const spec = stems[parts.stem] ?? stems[parts.stem.toUpperCase()];
  if (!spec) return null;
  const code = parts.ci ? `${spec[0]}_ci_${parts.ci}` : spec[0];
  return { spec, code, breakdown: parts.breakdown, ci: parts.ci, parent: spec[0] };
}

const ciParents = new Map();
for (const [format, years] of Object.entries(vocab)) {
  for (const [year, columns] of Object.entries(years)) {
    for (const [column, description] of columns) {
      if (SCHOOL_DETAILS[format]?.some((d) => d.toUpperCase() === column.toUpperCase())) {
        skip(format, year, column, 'school_details');
        continue;
      }
      if (format === 'dfe-ks2' || format === 'dfe-ks4') {
        const parts = splitColumn(format, column);
        if (parts.threeYear) {
          skip(format, year, column, 'three_year_average');
          continue;
        }
        if (parts.year !== null) {
          // An earlier year's figure repeated in this year's file: the same column name without
          // the suffix, in that year's vocabulary.
          let base = column
            .replace(/_{1,2}(1[4-9])(?=_PTQ_EE$|_PTQ$|$)/, '')
            .replace(/^AC5EM1[4-6]/, 'AC5EM')
            .replace(/_DESCR_(1[4-9])$/, '_DESCR');
          const target = resolveKeyStage(format, base);
          const copyOf = target ? [target.code, target.breakdown, period(parts.year)] : undefined;
          skip(format, year, column, 'earlier_year', copyOf);
          continue;
        }
        const target = resolveKeyStage(format, column);
        if (!target) {
          unplaced.push(`${format} ${year} ${column}: ${description}`);
          continue;
        }
        if (target.ci) ciParents.set(target.code, [target.parent, target.ci]);
        const spec = target.ci ? [target.code, ...target.spec.slice(1)] : target.spec;
        place(format, year, column, spec, target.code, target.breakdown, description);
        continue;
      }
      if (format === 'dfe-census' || format === 'dfe-absence') {
        const flat = FLAT_COLUMNS[format][column];
        if (!flat) {
          unplaced.push(`${format} ${year} ${column}`);
          continue;
        }
        const [code, breakdown] = flat;
        const spec = v1.has(code) ? [code] : /_pct$/.test(code) ? pctSpec(code) : countSpec(code);
        place(format, year, column, spec, code, breakdown, description);
        continue;
      }
      if (format === 'dfe-cfr') {
        let m;
        const fileYear = Number(year.slice(0, 4)) + 1;
        if (column === 'PUPILS')
          place(format, year, column, [], 'finance_pupils_fte', 'all', description);
        else if (column === 'FSM')
          place(
            format,
            year,
            column,
            ['finance_fsm_pct', 'percent', 'neutral', 'context', 0],
            'finance_fsm_pct',
            'all',
            description,
          );
        else if (CFR_CATEGORIES[column])
          place(
            format,
            year,
            column,
            [],
            `finance_${CFR_CATEGORIES[column]}_per_pupil`,
            'all',
            description,
          );
        else if (column.startsWith('P') && CFR_CATEGORIES[column.slice(1)]) {
          // A share of the total in %, but negative spending puts it below 0 or above 100, so
          // not the `percent` unit (which is range-checked).
          const code = `finance_${CFR_CATEGORIES[column.slice(1)]}_share`;
          place(
            format,
            year,
            column,
            [code, 'score', 'neutral', 'finance', 0],
            code,
            'all',
            `${description} (%)`,
          );
        } else if ((m = column.match(/^(P?)T\d\d(\d\d)CAT(\d)(LA)?$/))) {
          const share = m[1] === 'P';
          const code = `finance_trend_${CFR_TREND_CATEGORIES[m[3]]}_${share ? 'share' : 'per_pupil'}`;
          const spec = [code, share ? 'score' : 'gbp', 'neutral', 'finance', 0];
          const valueYear = 2000 + Number(m[2]);
          if (m[4])
            skip(
              format,
              year,
              column,
              valueYear === fileYear ? 'la_comparator' : 'earlier_year',
              // This year's LA figure is stored on the LA (an area observation); earlier years'
              // LA figures have no school value to compare with.
              valueYear === fileYear ? [code, 'all', period(valueYear)] : undefined,
            );
          else if (valueYear !== fileYear)
            skip(format, year, column, 'earlier_year', [code, 'all', period(valueYear)]);
          else {
            place(
              format,
              year,
              column,
              spec,
              code,
              'all',
              description.replace(/^\d{4}-\d\d /, '') + (share ? ' (%)' : ''),
            );
          }
        } else if ((m = column.match(/^(P?)DCAT(\d)$/))) {
          const share = m[1] === 'P';
          const code = `finance_trend_${CFR_TREND_CATEGORIES[m[2]]}_${share ? 'share_change' : 'change_per_pupil'}`;
          place(
            format,
            year,
            column,
            [code, share ? 'score' : 'gbp', 'neutral', 'finance', 0],
            code,
            'all',
            `${description} (${CFR_TREND_CATEGORIES[m[2]].replace(/_/g, ' ')})`,
          );
        } else unplaced.push(`${format} ${year} ${column}`);
      }
    }
  }
}
if (unplaced.length) {
  console.error(
    `Columns the vocabulary does not place (${unplaced.length}):\n${unplaced.join('\n')}`,
  );
  process.exit(1);
}

// ---- denominators ------------------------------------------------------------------------
const P8_CODES = /^ks4_progress8(_(english|maths|ebacc|open|unadjusted))?(_ci_(lower|upper))?$/;
const CENSUS_NUMERATORS = {
  PSENELSE: 'TSENELSE',
  PSENELK: 'TSENELK',
  PNUMEAL: 'NUMEAL',
  PNUMENGFL: 'NUMENGFL',
  PNUMUNCFL: 'NUMUNCFL',
  PNUMFSMEVER: 'NUMFSMEVER',
};
const COHORT_SHARES = {
  cohort_disadvantaged_pct: 'disadvantaged',
  cohort_eal_pct: 'eal',
  non_mobile_pct: 'non_mobile',
};
const has = (format, year, column) =>
  [...(vocab[format][year]?.keys() ?? [])].find((c) => c.toUpperCase() === column.toUpperCase());
for (const entry of measures.values()) {
  for (const [format, byYear] of entry.sources) {
    for (const [year, src] of byYear) {
      for (const [breakdown, column] of Object.entries(src.columns)) {
        let denominator;
        if (format === 'dfe-ks2' || format === 'dfe-ks4') {
          if (entry.code === 'cohort_pupils') continue;
          const group =
            COHORT_SHARES[entry.code] ?? (entry.code === 'cohort_group_pct' ? breakdown : null);
          if (group) {
            // A share of the cohort: the group's count over the whole cohort.
            const cohort = measures.get('cohort_pupils')?.sources.get(format)?.get(year)?.columns;
            if (cohort?.[group]) src.numerators[breakdown] = cohort[group];
            if (cohort?.all) src.denominators[breakdown] = cohort.all;
            continue;
          }
          const table = P8_CODES.test(entry.code)
            ? PROGRESS8_DENOMINATORS
            : KS_DENOMINATORS[format];
          const d = table[breakdown];
          if (d && d.toUpperCase() !== column.toUpperCase() && entry.unit !== 'count')
            denominator = has(format, year, d) ?? (format === 'dfe-ks2' ? d : undefined);
          if (denominator && !has(format, year, denominator)) denominator = undefined;
        } else if (format === 'dfe-census' && entry.unit === 'percent') {
          denominator = 'NOR';
          if (CENSUS_NUMERATORS[column]) src.numerators[breakdown] = CENSUS_NUMERATORS[column];
          if (breakdown === 'girls') src.numerators[breakdown] = 'NORG';
          if (breakdown === 'boys') src.numerators[breakdown] = 'NORB';
        }
        if (denominator) src.denominators[breakdown] = denominator;
      }
    }
  }
}

// ---- output ------------------------------------------------------------------------------
const sameMap = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function sourcesOf(entry) {
  const out = [];
  for (const [format, byYear] of entry.sources) {
    const groups = [];
    for (const year of [...byYear.keys()].sort()) {
      const src = byYear.get(year);
      const sorted = (o) =>
        Object.fromEntries(
          Object.entries(o).sort(([a], [b]) => breakdownOrder(a) - breakdownOrder(b)),
        );
      const s = {
        columns: sorted(src.columns),
        denominators: sorted(src.denominators),
        numerators: sorted(src.numerators),
      };
      const g = groups.find((x) => sameMap(x.s, s));
      if (g) g.years.push(year);
      else groups.push({ s, years: [year] });
    }
    // Census, absence and CFR columns keep their names from year to year: a mapping the same in
    // every year held applies to every year (as in catalogue v1), unless the column names its
    // own year (CFR `T1819CAT1`) or v1 limited the measure to some years.
    const everyYear =
      groups.length === 1 &&
      ['dfe-census', 'dfe-absence', 'dfe-cfr'].includes(format) &&
      !Object.values(groups[0].s.columns).some((c) => /T\d{4}CAT/.test(c)) &&
      !v1.get(entry.code)?.sources.some((x) => x.format === format && x.years);
    for (const g of groups) {
      const source = everyYear
        ? { format, columns: g.s.columns }
        : { format, years: g.years, columns: g.s.columns };
      if (Object.keys(g.s.denominators).length) source.denominators = g.s.denominators;
      if (Object.keys(g.s.numerators).length) source.numerators = g.s.numerators;
      out.push(source);
    }
  }
  return out;
}
const BREAKDOWNS = [
  'all',
  'boys',
  'girls',
  'disadvantaged',
  'not_disadvantaged',
  'eal',
  'english_first_language',
  'language_unclassified',
  'prior_low',
  'prior_middle',
  'prior_high',
  'prior_unknown',
  'non_mobile',
];
const breakdownOrder = (b) => BREAKDOWNS.indexOf(b) + 1 || 99;

function cleanLabel(text) {
  return text
    .replace(/\s+/g, ' ')
    .replace(/&pound;/g, '£')
    .trim();
}

const out = [];
const seen = new Set();
for (const m of MEASURE_CATALOGUE_V1.measures) {
  const gen = measures.get(m.code);
  const kept = m.sources.filter((s) => !s.format.startsWith('dfe-'));
  const dfe = gen ? sourcesOf(gen) : m.sources.filter((s) => s.format.startsWith('dfe-'));
  out.push({ ...m, sources: [...dfe, ...kept] });
  seen.add(m.code);
}
for (const entry of [...measures.values()].sort((a, b) => a.code.localeCompare(b.code))) {
  if (seen.has(entry.code)) continue;
  let label = cleanLabel(LABELS[entry.code] ?? (entry.label || entry.fallbackLabel || entry.code));
  const parent = ciParents.get(entry.code);
  if (parent)
    label = `${label}${/confidence/i.test(label) ? '' : ` (${parent[1]} confidence limit)`}`;
  out.push({
    code: entry.code,
    label,
    category: entry.category,
    unit: entry.unit,
    polarity: entry.polarity,
    phases: entry.phases,
    decimals: entry.decimals,
    sources: sourcesOf(entry),
  });
}
// National extracts: columns the v1 profiles ignored that are measures after all.
const extra = {
  cohort_pupils: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'KS2 Pupils', boys: 'KS2 Boys', girls: 'KS2 Girls' },
    },
    {
      format: 'national-extract-ks4',
      years: ['201516', '201617', '201718'],
      columns: { all: 'KS4 Pupils', boys: 'KS4 Boys', girls: 'KS4 Girls' },
    },
  ],
  ks2_reading_higher_pct: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Reading Exceed Std' },
      denominators: { all: 'KS2 Pupils' },
    },
  ],
  ks2_writing_greater_depth_pct: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Writing Exceed Std' },
      denominators: { all: 'KS2 Pupils' },
    },
  ],
  ks2_maths_higher_pct: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Maths Exceed Std' },
      denominators: { all: 'KS2 Pupils' },
    },
  ],
  // The re-publisher's "Writing Score" is DfE's GPS_AVERAGE (same values school by school).
  ks2_gps_scaled_score: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Writing Score' },
    },
  ],
  ks2_reading_progress_band: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Reading Progress Band' },
    },
  ],
  ks2_writing_progress_band: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Writing Progress Band' },
    },
  ],
  ks2_maths_progress_band: [
    {
      format: 'national-extract-ks2',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Maths Progress Band' },
    },
  ],
  ks4_progress8_band: [
    {
      format: 'national-extract-ks4',
      years: ['201516', '201617', '201718'],
      columns: { all: 'Progress 8 Band' },
    },
  ],
};
for (const m of out) if (extra[m.code]) m.sources.push(...extra[m.code]);
// Confidence limits: the measure they bound names them.
for (const m of out) {
  const lower = out.find((x) => x.code === `${m.code}_ci_lower`);
  const upper = out.find((x) => x.code === `${m.code}_ci_upper`);
  if (lower && upper) m.confidenceInterval = { lower: lower.code, upper: upper.code };
}

const REASONS = {
  school_details: SCHOOL_DETAILS_REASON,
  earlier_year:
    "An earlier year's figure repeated in this year's file: stored from that year's file; the import compares it with the stored value and warns on a difference.",
  three_year_average:
    "Three-year average of figures stored from each year's file; derived, so not stored again.",
  la_comparator:
    "The local authority's figure for schools of the school's group, repeated on every school row: not a school's value, so stored once per authority and group as an area observation (local_authority, variant `group: <MEDIAN>`).",
  description:
    'The words for a stored progress band ("Well Above Average" for band 5): restates a stored value.',
};
const notStoredOut = [];
for (const [key, byColumn] of [...notStored].sort(([a], [b]) => a.localeCompare(b))) {
  const [format, reason] = key.split('|');
  const columns = [];
  const copies = {};
  for (const [column, e] of [...byColumn].sort(([a], [b]) => a.localeCompare(b))) {
    columns.push(column);
    if (Object.keys(e.copyOf).length) copies[column] = e.copyOf;
  }
  const entry = { format, reason, why: REASONS[reason], columns };
  if (Object.keys(copies).length) entry.copies = copies;
  notStoredOut.push(entry);
}
notStoredOut.push(
  {
    format: 'national-extract-ks2',
    reason: 'school_details',
    why: REASONS.school_details,
    columns: SCHOOL_DETAILS['national-extract-ks2'],
  },
  {
    format: 'national-extract-ks2',
    reason: 'description',
    why: REASONS.description,
    columns: [
      'Reading Progress Desc',
      'Writing Progress Desc',
      'Maths Progress Desc',
      'Writing Score',
    ],
  },
  {
    format: 'national-extract-ks4',
    reason: 'school_details',
    why: REASONS.school_details,
    columns: SCHOOL_DETAILS['national-extract-ks4'],
  },
  {
    format: 'national-extract-ks4',
    reason: 'description',
    why: REASONS.description,
    columns: ['P8 Desc'],
  },
);

const catalogue = {
  version: '2026.2',
  description:
    "SchoolBench measure catalogue: one entry per measure, with the columns that feed it in each supported file format and year (years are EES time_period values; a source without years applies to every year), and the DfE columns deliberately not stored, with the reason. DfE sources are generated from DfE's meta files by tools/catalogue/generate-measure-catalogue.mjs.",
  measures: out,
  notStored: notStoredOut,
};
const target = join(root, 'libs/data-format-core/src/lib/catalogue/measure-catalogue-v2.ts');
writeFileSync(
  target,
  `/**
 * SchoolBench measure catalogue, version 2026.2. GENERATED by
 * tools/catalogue/generate-measure-catalogue.mjs from DfE's meta files and the vocabulary in
 * tools/catalogue/dfe-vocabulary.mjs (edit those, then regenerate); v1 measures keep their codes
 * and their non-DfE sources. Validated by \`MeasureCatalogue.fromJson\` when it loads.
 */
export const MEASURE_CATALOGUE_V2: unknown = ${JSON.stringify(catalogue, null, 2)};
`,
);
console.log(
  `${out.length} measures, ${notStoredOut.reduce((n, e) => n + e.columns.length, 0)} columns not stored → ${target}`,
);
