import { schoolPopulation } from '../population/school-population';
import { contextKnnV1, standardise } from './context-knn';

describe('context-knn-v1', () => {
  // Feature a: 0, 2, 4, 6 (mean 3, population sd √5); b is the same everywhere (sd 0 → z 0).
  const population = schoolPopulation(
    ['a', 'b'],
    [
      { urn: 13, values: [6, 1] },
      { urn: 10, values: [0, 1] },
      { urn: 12, values: [4, 1] },
      { urn: 11, values: [2, 1] },
      { urn: 14, values: [Number.NaN, 1] },
    ],
  );
  const options = { features: ['a', 'b'], k: 2 };

  it('standardises with the population sd (divide by n)', () => {
    const values = Float64Array.from([0, 2, 4, 6]);
    const { scores, means, sds } = standardise(values, 4, [0], 1, [1]);
    expect(means).toEqual([3]);
    expect(sds).toEqual([Math.sqrt(5)]);
    expect(Array.from(scores)).toEqual([-3, -1, 1, 3].map((x) => x / Math.sqrt(5)));
  });

  it('groups each school with its k nearest others, ties by ascending URN', () => {
    const groups = contextKnnV1.findGroups(population, options);
    expect(Array.from(groups.urns)).toEqual([10, 11, 12, 13]);
    const step = 2 / Math.sqrt(5);
    // 11 is as far from 10 as from 12: the lower URN comes first.
    expect(groups.groupOf(11)).toEqual([
      { urn: 10, rank: 1, distance: expect.closeTo(step, 15), shares: { a: 1, b: 0 } },
      { urn: 12, rank: 2, distance: expect.closeTo(step, 15), shares: { a: 1, b: 0 } },
    ]);
    expect(groups.groupOf(10)?.map((m) => m.urn)).toEqual([11, 12]);
    expect(groups.groupOf(13)?.map((m) => m.distance)).toEqual(
      [step, 2 * step].map((d) => expect.closeTo(d, 15)),
    );
  });

  it('leaves out schools with a missing feature and says so', () => {
    const groups = contextKnnV1.findGroups(population, options);
    expect(groups.has(14)).toBe(false);
    expect(groups.excluded).toEqual([{ urn: 14, reason: 'missing a' }]);
  });

  it('breaks mathematically equal distances by URN even when rounding differs', () => {
    // 13.6 − 12.7 and 14.5 − 13.6 are both 0.9 but not equal in binary floating point.
    const ties = schoolPopulation(
      ['x'],
      [
        { urn: 3, values: [13.6] },
        { urn: 2, values: [14.5] },
        { urn: 1, values: [12.7] },
        { urn: 4, values: [30] },
      ],
    );
    const group = contextKnnV1.findGroups(ties, { features: ['x'], k: 2 }).groupOf(3);
    expect(group?.map((m) => m.urn)).toEqual([1, 2]);
  });

  it('weights the z-scores and reports each feature’s share of the squared distance', () => {
    const mixed = schoolPopulation(
      ['a', 'b'],
      [
        { urn: 1, values: [0, 0] },
        { urn: 2, values: [1, 1] },
        { urn: 3, values: [0, 1] },
        { urn: 4, values: [1, 0] },
      ],
    );
    // Both features have mean 0.5 and sd 0.5, so z = ±1; weight 2 on a doubles its z-scores.
    const group = contextKnnV1
      .findGroups(mixed, { features: ['a', 'b'], weights: { a: 2 }, k: 3 })
      .groupOf(1);
    expect(group).toEqual([
      { urn: 3, rank: 1, distance: 2, shares: { a: 0, b: 1 } },
      { urn: 4, rank: 2, distance: 4, shares: { a: 1, b: 0 } },
      { urn: 2, rank: 3, distance: Math.sqrt(20), shares: { a: 0.8, b: 0.2 } },
    ]);
  });

  it('uses SPEC §8’s default features and k = 20, and rejects a bad k or weight', () => {
    expect(contextKnnV1.requirements()).toEqual({
      features: ['pct_fsm_ever', 'pct_eal', 'pct_sen_support', 'pct_ehc_plan', 'ln_pupils'],
      regions: false,
      missing: 'drop',
    });
    expect(contextKnnV1.defaultK).toBe(20);
    expect(() => contextKnnV1.findGroups(population, { ...options, k: 4 })).toThrow(
      'k must be a whole number from 1 to 3 for context-knn-v1 on 4 schools; got 4',
    );
    expect(() => contextKnnV1.findGroups(population, { ...options, k: 1.5 })).toThrow(
      'whole number',
    );
    expect(() => contextKnnV1.findGroups(population, { ...options, weights: { a: -1 } })).toThrow(
      'Weights',
    );
    expect(() => contextKnnV1.findGroups(population, { ...options, weights: { c: 1 } })).toThrow(
      'not used: c',
    );
    expect(() => contextKnnV1.findGroups(population, { features: ['zzz'] })).toThrow(
      'no feature "zzz"',
    );
  });
});
