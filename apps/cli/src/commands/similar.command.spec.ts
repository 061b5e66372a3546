import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';

import { sharedDataFolder } from '../shared-data';
import { registerSimilarCommand } from './similar.command';

// Reading the national files takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

const census = join(sharedDataFolder(), 'dfe/national/2018-2019_england_census.csv');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('schoolbench')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
  registerSimilarCommand(program);
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['similar', ...args], { from: 'user' });
    return { code: 0, out: out.join(''), err: err.join('') };
  } catch (error) {
    if (error instanceof CommanderError)
      return { code: error.exitCode, out: out.join(''), err: err.join('') };
    throw error;
  } finally {
    write.mockRestore();
  }
}

describe('schoolbench similar', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'similar-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes the national primary groups; school 100000 matches the oracle rows', async () => {
    const out = join(folder, 'groups.csv');
    const result = await run([
      '--census',
      census,
      '--school-type',
      'State-funded primary',
      '--k',
      '10',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /^context-knn-v1: 16768 State-funded primary schools, 167680 rows .*1 left out/,
    );
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('urn,rank,neighbour_urn,distance');
    expect(lines).toHaveLength(167681);
    // The oracle prints distances without trailing zeros; compare them as numbers.
    const parse = (line: string) => line.split(',').map(Number);
    const pick = (all: string[]) =>
      all.filter((line) => line.startsWith('100000,') || line.startsWith('121293,')).map(parse);
    const oracle = pick(
      readFileSync(
        join(sharedDataFolder(), 'expected/knn-census-2019-primary-k10.csv'),
        'utf8',
      ).split(/\r?\n/),
    );
    const ours = pick(lines);
    expect(ours).toHaveLength(20);
    expect(ours.map((row) => row.slice(0, 3))).toEqual(oracle.map((row) => row.slice(0, 3)));
    ours.forEach((row, i) => expect(row[3]).toBeCloseTo(oracle[i]?.[3], 12));
    expect(lines[1]).toMatch(/^100000,1,139480,0\.\d{12}$/);
  });

  it('writes DfE FBIT pupil sets with --method fbit-pupil-v1', async () => {
    const out = join(folder, 'fbit.csv');
    const result = await run([
      '--census',
      census,
      '--school-type',
      'state-funded primary',
      '--method',
      'fbit-pupil-v1',
      '--k',
      '3',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(16769 * 3 + 1);
    expect(rows.slice(1, 4).map((row) => row.split(',').slice(0, 3).join())).toEqual([
      '100000,1,102006',
      '100000,2,102026',
      '100000,3,126260',
    ]);
  });

  it('explains a missing file, an unknown school type, a bad k and an unknown method (exit 2)', async () => {
    const out = join(folder, 'never.csv');
    const cases: [string[], string][] = [
      [
        ['--census', join(folder, 'nope.csv'), '--school-type', 'X', '--out', out],
        'Census file not found',
      ],
      [
        ['--census', census, '--school-type', 'Primary', '--out', out],
        'No schools of type "Primary"',
      ],
      [
        ['--census', census, '--school-type', 'State-funded primary', '--k', 'ten', '--out', out],
        '--k must be',
      ],
      [
        ['--census', census, '--school-type', 'State-funded primary', '--k', '0', '--out', out],
        'k must be a whole number from 1 to 16767',
      ],
      [
        [
          '--census',
          census,
          '--school-type',
          'State-funded primary',
          '--method',
          'fbit-pupil-v1',
          '--k',
          '30',
          '--out',
          out,
        ],
        'from 1 to 29',
      ],
      [
        [
          '--census',
          census,
          '--school-type',
          'State-funded primary',
          '--method',
          'magic-v1',
          '--out',
          out,
        ],
        'Unknown comparison method "magic-v1"; available: context-knn-v1, fbit-pupil-v1',
      ],
      [
        [
          '--census',
          census,
          '--school-type',
          'State-funded primary',
          '--out',
          join(folder, 'no/such/dir.csv'),
        ],
        'Output folder does not exist',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect({ code: result.code, err: result.err }).toEqual({
        code: 2,
        err: expect.stringContaining(message),
      });
    }
    const unknownType = await run(['--census', census, '--school-type', 'Primary', '--out', out]);
    expect(unknownType.err).toContain('State-funded primary (16769)');
  });

  it('reads a newer LA code list when given one, and says when it cannot', async () => {
    const codes = join(folder, 'codes.csv');
    writeFileSync(codes, 'LEA,LA Name,REGION,REGION NAME\n850,Hampshire,37,Wessex A\n');
    const result = await run([
      '--census',
      census,
      '--school-type',
      'State-funded primary',
      '--method',
      'fbit-pupil-v1',
      '--la-codes',
      codes,
      '--out',
      join(folder, 'x.csv'),
    ]);
    expect(result).toMatchObject({
      code: 2,
      err: expect.stringContaining('Line 2: region "Wessex A"'),
    });
  });
});
