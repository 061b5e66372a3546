import { competitionRanks, rankAmong } from './ranking';

describe('rank of n by polarity', () => {
  it('counts the school among its group, 1 = best, ties sharing the best rank', () => {
    expect(rankAmong(70, [80, 70, 60], 'higher_better')).toEqual({ rank: 2, of: 4 });
    expect(rankAmong(70, [80, 70, 60], 'lower_better')).toEqual({ rank: 2, of: 4 });
    expect(rankAmong(90, [80, 70, 60], 'higher_better')).toEqual({ rank: 1, of: 4 });
    expect(rankAmong(5, [], 'lower_better')).toEqual({ rank: 1, of: 1 });
  });

  it('gives competition ranks for a whole group', () => {
    expect(competitionRanks([3, 9, 3, 1], 'higher_better')).toEqual([2, 1, 2, 4]);
    expect(competitionRanks([3, 9, 3, 1], 'lower_better')).toEqual([2, 4, 2, 1]);
  });

  it('refuses to rank a neutral measure', () => {
    expect(() => rankAmong(1, [2], 'neutral')).toThrow('neutral');
  });
});
