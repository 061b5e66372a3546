import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';

import { sharedDataFile } from '../testing/shared-data-folder';
import { collectImport, importFile } from './import-file';
import type { ImportOptions } from './import-options';

const KS2_NAME = '2018-2019_850_ks2final.csv';
const HEADER = 'RECTYPE,LEA,ESTAB,URN,SCHNAME,TELIG,PTRWM_EXP,READPROG';

function ks2(...rows: string[]): string {
  return [HEADER, ...rows].join('\r\n');
}

async function run(
  bytes: Uint8Array | string,
  extra: Partial<ImportOptions> = {},
  name = KS2_NAME,
) {
  return collectImport({ file: { name, bytes }, ...extra });
}

function rules(result: Awaited<ReturnType<typeof run>>, severity?: 'error' | 'warning'): string[] {
  return result.problems.filter((p) => !severity || p.severity === severity).map((p) => p.rule);
}

describe('importFile: a good file', () => {
  it('maps rows to schools and observations and reports an accepted import', async () => {
    const result = await run(
      ks2('1,850,3418,116382,St John,29,93%,2.8', '1,850,2001,115000,Oakwood,20,SUPP,-1.5'),
    );
    expect(result.problems).toEqual([]);
    expect(result.report).toMatchObject({
      adapter: 'dfe-ks2-final',
      rows: 2,
      accepted: true,
      errorCount: 0,
    });
    expect(result.schools.map((s) => s.urn)).toEqual(['116382', '115000']);
    // TELIG is the cohort (a measure of its own) and the denominator of the others.
    expect(result.observations).toHaveLength(6);
    expect(result.observations[0]).toMatchObject({ measure: 'cohort_pupils', value: 29 });
    expect(result.observations[4]).toMatchObject({
      urn: '115000',
      measure: 'ks2_rwm_expected_pct',
      breakdown: 'all',
      period: { timePeriod: '201819', timeIdentifier: 'Academic year' },
      value: null,
      suppression: 'c',
      denominator: 20,
    });
    expect(result.observations[5]).toMatchObject({ measure: 'ks2_reading_progress', value: -1.5 });
    expect(result.report.cells).toEqual({
      stored: 6,
      notMeasure: { school_details: 10 },
      unknown: 0,
      unknownColumns: [],
    });
  });

  it('hashes the bytes while streaming: identical uploads match, a changed file does not', async () => {
    const path = sharedDataFile('dfe', 'la-815-north-yorkshire', '815_2019_ks4provisional.csv');
    const bytes = readFileSync(path);
    const streamed = await collectImport({
      file: {
        name: '815_2019_ks4provisional.csv',
        bytes: createReadStream(path, { highWaterMark: 1024 }),
      },
    });
    expect(streamed.report.contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(streamed.report.byteLength).toBe(bytes.length);
    const changed = Buffer.concat([bytes, Buffer.from(' ')]);
    expect((await run(changed, {}, '815_2019_ks4provisional.csv')).report.contentHash).not.toBe(
      streamed.report.contentHash,
    );
  });

  it('yields problems as it goes and always ends with the report', async () => {
    const kinds: string[] = [];
    for await (const r of importFile({
      file: { name: KS2_NAME, bytes: ks2('1,850,1,116382,A,9,abc,1') },
    }))
      kinds.push(r.kind);
    expect(kinds).toEqual(['school', 'observation', 'observation', 'problem', 'end']);
  });
});

describe('importFile: bad input is reported with its rule', () => {
  it.each([
    ['empty file', '', 'empty_file'],
    ['blank lines only', '\r\n\r\n', 'empty_file'],
    ['header only', `${HEADER}\r\n`, 'header_only'],
    [
      'binary (xlsx signature)',
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]),
      'binary_file',
    ],
    ['binary (NUL bytes)', Buffer.from('RECTYPE,URN\x00\x00\x00\n1,2'), 'binary_file'],
    ['UTF-16 text', Buffer.from([0xff, 0xfe, 0x52, 0x00, 0x45, 0x00]), 'wrong_encoding'],
    [
      'mixed UTF-8 and Windows-1252',
      Buffer.concat([
        Buffer.from(`${ks2('1,850,1,116382,Café,9,90%,1')}\r\n`),
        Buffer.from([0x31, 0x2c, 0x96]),
      ]),
      'wrong_encoding',
    ],
    ['unclosed quote', ks2('1,850,1,116382,"St John,9,90%,1'), 'truncated_row'],
    [
      'duplicate URN',
      ks2('1,850,1,116382,A,9,90%,1', '1,850,1,116382,A,9,91%,1'),
      'duplicate_observation',
    ],
    ['text in a numeric column', ks2('1,850,1,116382,A,9,ninety,1'), 'non_numeric_value'],
    ['percentage over 100', ks2('1,850,1,116382,A,9,130%,1'), 'out_of_range'],
    ['negative percentage', ks2('1,850,1,116382,A,9,-5%,1'), 'out_of_range'],
    ['missing URN', ks2('1,850,1,,A,9,90%,1'), 'missing_urn'],
    ['URN that is not a number', ks2('1,850,1,ABC123,A,9,90%,1'), 'invalid_urn'],
    ['columns no adapter knows', 'name,score\nA,1', 'unknown_file_format'],
    [
      'semicolons between columns',
      ks2('1,850,1,116382,A,9,90%,1').replace(/,/g, ';'),
      'wrong_separator',
    ],
    [
      'tabs between columns',
      ks2('1,850,1,116382,A,9,90%,1').replace(/,/g, '\t'),
      'wrong_separator',
    ],
  ])('%s → %s', async (_case, bytes, rule) => {
    const result = await run(bytes);
    expect(rules(result, 'error')).toContain(rule);
    expect(result.report.accepted).toBe(false);
    const problem = result.problems.find((p) => p.rule === rule);
    expect(problem?.file).toBe(KS2_NAME);
    expect(problem?.fix).toMatch(/\w+ \w+ \w+/);
  });

  it('gives line, column and value for a cell problem', async () => {
    const result = await run(ks2('1,850,1,116382,A,9,90%,1', '1,850,2,116383,B,9,ninety,1'));
    expect(result.problems).toEqual([
      expect.objectContaining({
        rule: 'non_numeric_value',
        line: 3,
        column: 'PTRWM_EXP',
        value: 'ninety',
        severity: 'error',
      }),
    ]);
  });

  it('detects a download cut off in the middle of the last row', async () => {
    const whole = readFileSync(
      sharedDataFile('dfe', 'la-850-hampshire', '2018-2019_850_ks2final.csv'),
    );
    // Cut 300 bytes into line 101: the row stops after a handful of its 318 cells.
    let at = 0;
    for (let line = 1; line <= 100; line++) at = whole.indexOf(0x0a, at) + 1;
    const result = await run(whole.subarray(0, at + 300));
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([
      expect.objectContaining({ rule: 'truncated_row', line: 101 }),
    ]);
  });

  it('rejects unknown LA codes through the injected register', async () => {
    const result = await run(
      ks2('1,850,1,116382,A,9,90%,1', '1,999,1,116383,B,9,90%,1', '1,999,2,116384,C,9,90%,1'),
      {
        isKnownLaCode: (code) => code === '850',
      },
    );
    // Reported once per code, on the line it first appears.
    expect(result.problems).toEqual([
      expect.objectContaining({ rule: 'unknown_la_code', line: 3, column: 'LEA', value: '999' }),
    ]);
    expect(result.schools.map((s) => s.urn)).toEqual(['116382']);
  });

  it('skips other LAs with a warning when the upload is restricted to the tenant', async () => {
    const result = await run(ks2('1,850,1,116382,A,9,90%,1', '1,851,1,116383,B,9,90%,1'), {
      restrictToLaCodes: ['850'],
    });
    expect(rules(result)).toEqual(['other_la_row_skipped']);
    expect(result.problems[0]?.severity).toBe('warning');
    expect(result.schools.map((s) => s.urn)).toEqual(['116382']);
    expect(result.report.accepted).toBe(true);
  });

  it("refuses a file none of whose school rows is the tenant's own, naming the LA it is for", async () => {
    const result = await run(ks2('1,851,1,116383,B,9,90%,1', '1,851,1,116384,C,9,90%,1'), {
      restrictToLaCodes: ['850'],
    });
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'no_rows_for_authority',
          severity: 'error',
          line: 2,
          value: '851',
          message: 'None of the 2 school rows is for LA 850: the first is for LA 851 (line 2).',
        }),
      ]),
    );
    expect(result.report.accepted).toBe(false);
  });

  it('sets summary rows apart and notes ignored columns', async () => {
    const result = await collectImport({
      file: {
        name: KS2_NAME,
        bytes: `${HEADER},POSTCODE\r\n1,850,1,116382,A,9,90%,1,SO1 1AA\r\n3,850,,,Hampshire,14915,68%,-0.4,`,
      },
    });
    expect(rules(result, 'warning').sort()).toEqual([
      'summary_row_set_apart',
      'unknown_column_ignored',
    ]);
    expect(result.problems.find((p) => p.rule === 'unknown_column_ignored')?.value).toBe(
      'POSTCODE',
    );
    expect(result.summaryObservations[1]).toMatchObject({
      area: { level: 'local_authority', code: '850', name: 'Hampshire', variant: '' },
      measure: 'ks2_rwm_expected_pct',
      value: 68,
      denominator: 14915,
    });
    expect(result.observations.every((o) => o.urn === '116382')).toBe(true);
    // School-row cells only: POSTCODE is the one unknown column; the summary row is not counted.
    expect(result.report.cells).toMatchObject({
      stored: 3,
      unknown: 1,
      unknownColumns: ['POSTCODE'],
    });
  });

  it('needs a year: from the file name, or given by the caller', async () => {
    const unnamed = await run(ks2('1,850,1,116382,A,9,90%,1'), {}, 'ks2final.csv');
    expect(rules(unnamed, 'error')).toEqual(['period_unknown']);
    const given = await run(
      ks2('1,850,1,116382,A,9,90%,1'),
      { period: { timePeriod: '201718', timeIdentifier: 'Academic year' } },
      'ks2final.csv',
    );
    expect(given.problems).toEqual([]);
    expect(given.observations[0]?.period.timePeriod).toBe('201718');
  });

  it('stops at the upload size limit', async () => {
    const result = await run(ks2('1,850,1,116382,A,9,90%,1'), { maxBytes: 40 });
    expect(rules(result)).toEqual(['file_too_large']);
  });

  it('keeps counts exact but the report short when one rule fires thousands of times', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `1,850,${i},${100000 + i},S,9,bad,1`);
    const result = await run(ks2(...rows), { maxProblemsPerRule: 10 });
    expect(result.problems).toHaveLength(10);
    expect(result.report.problemCounts).toEqual([
      { rule: 'non_numeric_value', severity: 'error', count: 500 },
    ]);
  });

  it('rejects an EES data file whose metadata describes another file', async () => {
    const dir = ['ees', 'screener', 'pass'];
    const result = await collectImport({
      file: { name: 'hyphen.csv', bytes: readFileSync(sharedDataFile(...dir, 'hyphen.csv')) },
      meta: {
        name: 'hyphen.meta.csv',
        bytes: readFileSync(sharedDataFile(...dir, 'financial_half.meta.csv')),
      },
    });
    expect(rules(result, 'error')).toEqual(
      expect.arrayContaining(['meta_file_mismatch', 'meta_to_data_crosscheck']),
    );
    expect(result.problems.find((p) => p.rule === 'meta_file_mismatch')?.file).toBe(
      'hyphen.meta.csv',
    );
  });

  it('wants the .meta.csv of an EES data file', async () => {
    const bytes = readFileSync(sharedDataFile('ees', 'screener', 'pass', 'hyphen.csv'));
    const result = await run(bytes, {}, 'hyphen.csv');
    expect(rules(result, 'error')).toContain('file_pair_missing');
  });
});
