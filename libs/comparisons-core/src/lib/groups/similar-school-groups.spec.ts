import { SimilarSchoolGroups } from './similar-school-groups';

describe('SimilarSchoolGroups', () => {
  const groups = new SimilarSchoolGroups(
    'test-v1',
    Int32Array.from([10, 20, 30]),
    ['a'],
    Int32Array.from([0, 2, 3, 3]),
    Int32Array.from([1, 2, 0]),
    Float64Array.from([0.5, 1.5, 0.25]),
    Float64Array.from([1, 1, 1]),
    [{ urn: 40, reason: 'missing a' }],
  );

  it('gives each school its members in rank order, with shares', () => {
    expect(groups.size).toBe(3);
    expect(groups.memberCount).toBe(3);
    expect(groups.groupOf(10)).toEqual([
      { urn: 20, rank: 1, distance: 0.5, shares: { a: 1 } },
      { urn: 30, rank: 2, distance: 1.5, shares: { a: 1 } },
    ]);
    expect(groups.groupOf(30)).toEqual([]);
    expect(groups.groupOf(40)).toBeUndefined();
  });

  it('lists output rows by school then rank', () => {
    expect([...groups.rows()]).toEqual([
      { urn: 10, rank: 1, neighbourUrn: 20, distance: 0.5 },
      { urn: 10, rank: 2, neighbourUrn: 30, distance: 1.5 },
      { urn: 20, rank: 1, neighbourUrn: 10, distance: 0.25 },
    ]);
  });
});
