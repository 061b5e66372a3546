import { LaRegister, type GovernmentOfficeRegion } from '@schoolbench/la-register';

import { groupsFromCensus } from '../population/census-groups';
import { readCensusFile } from '../population/census-table';
import { schoolPopulation, type SchoolRowInput } from '../population/school-population';
import { sharedDataFile } from '../testing/shared-data-folder';
import { fbitPupilV1, fillWithMedians } from './fbit-pupil';

// Reading the national files takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

const row = (
  urn: number,
  pupils: number,
  region: GovernmentOfficeRegion,
  fsm = 10,
  sen = 10,
): SchoolRowInput => ({
  urn,
  values: [pupils, fsm, sen],
  region,
});
const population = (rows: SchoolRowInput[]) =>
  schoolPopulation(['pupils', 'pct_fsm', 'pct_sen'], rows, { withRegions: true });

describe('fbit-pupil-v1 on hand-made schools', () => {
  it('takes the 60 nearest, own region first, then the nearest others up to 29', () => {
    // School 1000 has 100 pupils; school 1000 + i has 100 + i, so distance grows with i. Every
    // fifth is in the target's region, including one (i = 65) beyond the 60 nearest.
    const rows = [row(1000, 100, 'North East')];
    for (let i = 1; i <= 69; i++) {
      rows.push(
        row(1000 + i, 100 + i, i % 5 === 0 ? 'North East' : 'London', 10 + (i === 69 ? 1 : 0)),
      );
    }
    const group = fbitPupilV1.findGroups(population(rows)).groupOf(1000) ?? [];
    const inRegion = [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60];
    const nearestOthers = [1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19, 21];
    expect(group.map((m) => m.urn - 1000)).toEqual([...inRegion, ...nearestOthers]);
    expect(group.map((m) => m.rank)).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));
    // Distance = √0.5 · Δpupils / range (the % FSM range is 1, but only school 1069 differs).
    expect(group[0]?.distance).toBeCloseTo(Math.sqrt(0.5) * (5 / 69), 15);
    expect(group[0]?.shares).toEqual({ pupils: 1, pct_fsm: 0, pct_sen: 0 });
  });

  it('fills the set from the same region only when 29 of the 60 are in it', () => {
    const rows = [row(1, 100, 'London')];
    for (let i = 1; i <= 40; i++) rows.push(row(1 + i, 100 + i, 'London'));
    const group = fbitPupilV1.findGroups(population(rows)).groupOf(1) ?? [];
    expect(group.map((m) => m.urn)).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
  });

  it('breaks ties by ascending URN, also at the edge of the 60', () => {
    // Pairs at ±i pupils (i = 1..29) are tied; three schools tie for the 59th and 60th places.
    const rows = [row(1, 100, 'South West')];
    for (let i = 1; i <= 29; i++) {
      rows.push(row(3000 + i, 100 - i, 'London'), row(2000 + i, 100 + i, 'London'));
    }
    rows.push(
      row(6001, 130, 'South West'),
      row(4001, 70, 'South West'),
      row(5001, 130, 'South West'),
    );
    rows.push(row(7001, 60, 'London'), row(7002, 140, 'London'));
    const group = fbitPupilV1.findGroups(population(rows)).groupOf(1) ?? [];
    // Only 4001 and 5001 make the 60; they lead as the target's region, then pairs by URN.
    expect(group.slice(0, 6).map((m) => m.urn)).toEqual([4001, 5001, 2001, 3001, 2002, 3002]);
    expect(group.map((m) => m.urn)).not.toContain(6001);
  });

  it('fills a missing value with the median of the present ones, before taking ranges', () => {
    const filled = fillWithMedians(
      population([
        row(1, Number.NaN, 'London', 0),
        row(2, 10, 'London', 5),
        row(3, 20, 'London', Number.NaN),
        row(4, 100, 'London', 7),
      ]),
    );
    expect(filled.medians).toEqual([20, 5, 10]);
    expect(filled.filled).toEqual([1, 1, 0]);
    expect(Array.from(filled.values.filter((_, i) => i % 3 === 0))).toEqual([20, 10, 20, 100]);
    expect(filled.ranges).toEqual([90, 7, 0]);
  });

  it('gives a school with no region the nearest schools regardless of region', () => {
    const rows: SchoolRowInput[] = [{ urn: 1, values: [100, 10, 10] }];
    for (let i = 1; i <= 5; i++) rows.push(row(1 + i, 100 + i, i === 5 ? 'London' : 'North West'));
    const groups = fbitPupilV1.findGroups(population(rows));
    expect(groups.groupOf(1)?.map((m) => m.urn)).toEqual([2, 3, 4, 5, 6]);
    expect(groups.groupOf(6)?.map((m) => m.urn)).toEqual([5, 4, 3, 2, 1]);
  });

  it('rejects weights, features and a k above 29', () => {
    const small = population([row(1, 1, 'London'), row(2, 2, 'London')]);
    expect(() => fbitPupilV1.findGroups(small, { weights: { pupils: 1 } })).toThrow(
      'fixed variables',
    );
    const rows = Array.from({ length: 40 }, (_, i) => row(i + 1, i, 'London'));
    expect(() => fbitPupilV1.findGroups(population(rows), { k: 30 })).toThrow('from 1 to 29');
  });
});

describe('fbit-pupil-v1 on the national 2018/19 census', () => {
  it('builds every primary school’s set as a numpy port of DfE’s code does', async () => {
    const table = await readCensusFile(sharedDataFile('dfe/national/2018-2019_england_census.csv'));
    const { census, groups } = groupsFromCensus(table, fbitPupilV1, {
      schoolType: 'State-funded primary',
      register: LaRegister.builtIn(),
    });
    // Missing values are filled, not dropped: URN 110226 (all NA) keeps its place.
    expect(census.excluded).toEqual([]);
    expect(groups.size).toBe(16769);
    expect(groups.memberCount).toBe(16769 * 29);
    expect(groups.groupOf(110226)).toHaveLength(29);

    // Expected sets from a numpy port of DfE's comparator_sets/calculations.py (n × n distances,
    // stable argsort, select_top_set_urns with 60/30), run once on the same census with regions
    // from the LA register. These schools have no tied distances, so DfE's floating-point order
    // and SPEC's URN rule agree. 100000 (City of London) and 101494 (Yorkshire) take schools
    // from other DfE sub-regions of their GOR first; 113662 still has old Dorset code 835.
    const expected: Record<number, number[]> = {
      100000: [
        102006, 102026, 126260, 143057, 125861, 106834, 135566, 103910, 125940, 120398, 121356,
        105957, 117160, 115884, 121582, 115876, 115916, 113117, 121451, 140688, 125009, 126289,
        140611, 113255, 123843, 109089, 130870, 117096, 116811,
      ],
      101494: [
        139472, 107233, 107494, 145936, 144050, 141797, 142749, 136547, 135812, 139523, 141866,
        131879, 101885, 144140, 100690, 134099, 102325, 140509, 105910, 139458, 130934, 101277,
        142523, 101314, 103845, 140833, 103955, 100231, 103690,
      ],
      113662: [
        142045, 123808, 145721, 141777, 115697, 137365, 113798, 141768, 143190, 115522, 142492,
        123655, 120125, 117451, 119407, 125836, 144625, 117993, 110612, 107651, 138297, 119558,
        119509, 142842, 140253, 112507, 146511, 117838, 138299,
      ],
      121293: [
        121594, 117992, 121614, 117861, 121402, 143823, 121658, 112562, 145993, 142662, 120549,
        146707, 144427, 136759, 123773, 119410, 110999, 122284, 115663, 123762, 122290, 124754,
        116322, 113435, 122295, 121847, 109609, 142588, 124746,
      ],
    };
    for (const [urn, members] of Object.entries(expected)) {
      expect(groups.groupOf(Number(urn))?.map((m) => m.urn)).toEqual(members);
    }
    const northYorkshire = groups.groupOf(121293) ?? [];
    expect(northYorkshire[0]?.distance).toBeCloseTo(0.01401059416008, 12);
    expect(northYorkshire[28]?.distance).toBeCloseTo(0.015948772915484, 12);
  });
});
