import { LaRegister } from '@schoolbench/la-register';

import { sharedDataFile } from '../testing/shared-data-folder';
import { censusPopulation } from './census-population';
import { censusSchoolTypes, parseCensusCsv, readCensusFile } from './census-table';

// Reading the national files takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

const SAMPLE = [
  '\uFEFFURN,LA,ESTAB,SCHOOLTYPE,NOR,NUMFSM,PNUMFSMEVER,PNUMEAL,PSENELK,PSENELSE',
  '100002,835,2001,State-funded primary,200,20,10.5,4,12,1.5',
  '100001,850,2002,State-funded primary,0,0,NA,NA,NA,NA',
  '100003,999,2003,State-funded primary,"1,000",SUPP,20,x,10,2%',
  '100004,850,2004,State-funded secondary,900,90,30,5,10,2',
  'NAT,,PRI,State-funded primary,4727089,745453,23,21.2,12.6,1.6',
].join('\r\n');

describe('census populations', () => {
  const table = parseCensusCsv(SAMPLE, 'sample.csv');

  it('counts school rows per SCHOOLTYPE, leaving out national summary rows', () => {
    expect(censusSchoolTypes(table)).toEqual(
      new Map([
        ['State-funded primary', 3],
        ['State-funded secondary', 1],
      ]),
    );
  });

  it('drops schools with a missing feature for context-knn, in URN order, saying why', () => {
    const { population, excluded, schoolType } = censusPopulation(table, {
      schoolType: ' state-funded PRIMARY ',
      features: ['pct_fsm_ever', 'ln_pupils'],
      missing: 'drop',
    });
    expect(schoolType).toBe('State-funded primary');
    expect(Array.from(population.urns)).toEqual([100002, 100003]);
    expect(Array.from(population.values)).toEqual([10.5, Math.log(200), 20, Math.log(1000)]);
    expect(excluded).toEqual([{ urn: 100001, reason: 'missing pct_fsm_ever, ln_pupils' }]);
  });

  it('keeps missing and uncomputable values as NaN for fbit, with regions from old LA codes', () => {
    const { population } = censusPopulation(table, {
      schoolType: 'State-funded primary',
      features: ['pupils', 'pct_fsm', 'pct_sen'],
      missing: 'keep',
      register: LaRegister.builtIn(),
    });
    expect(Array.from(population.urns)).toEqual([100001, 100002, 100003]);
    // NOR = 0: % FSM cannot be computed; SUPP: missing; "2%" is read as 2.
    expect(Array.from(population.values)).toEqual([
      0,
      Number.NaN,
      Number.NaN,
      200,
      10,
      13.5,
      1000,
      Number.NaN,
      12,
    ]);
    expect(population.regions).toEqual(['South East', 'South West', undefined]);
  });

  it('names the available school types when the one asked for is absent', () => {
    expect(() =>
      censusPopulation(table, { schoolType: 'Academy', features: ['pupils'], missing: 'drop' }),
    ).toThrow(
      'No schools of type "Academy" in sample.csv; available: State-funded primary (3), State-funded secondary (1)',
    );
  });

  it('names the columns a feature needs when the file lacks them', () => {
    const bare = parseCensusCsv('URN,SCHOOLTYPE,NOR\n1,A,5\n', 'bare.csv');
    expect(() =>
      censusPopulation(bare, { schoolType: 'A', features: ['pct_sen'], missing: 'keep' }),
    ).toThrow('bare.csv has no column PSENELSE, PSENELK');
    expect(() =>
      censusPopulation(bare, { schoolType: 'A', features: ['nope'], missing: 'keep' }),
    ).toThrow('No census feature "nope"');
  });

  it('reads the national census as published (BOM, NA, summary rows)', async () => {
    const national = await readCensusFile(
      sharedDataFile('dfe/national/2018-2019_england_census.csv'),
    );
    const types = censusSchoolTypes(national);
    expect(types.get('State-funded primary')).toBe(16769);
    expect(types.get('State-funded secondary')).toBe(3448);
    await expect(readCensusFile('/nowhere/census.csv')).rejects.toThrow(
      'Census file not found: /nowhere/census.csv',
    );
  });
});
