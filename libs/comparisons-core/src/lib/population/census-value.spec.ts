import { parseCensusNumber } from './census-value';

describe('parseCensusNumber', () => {
  it.each([
    ['285', 285],
    [' 17.5 ', 17.5],
    ['49.5%', 49.5],
    ['1,234', 1234],
    ['-2.3', -2.3],
    ['.5', 0.5],
  ])('reads %j as %d', (cell, value) => {
    expect(parseCensusNumber(cell)).toBe(value);
  });

  it.each([
    '',
    'NA',
    'SUPP',
    'NE',
    'NP',
    'LOWCOV',
    'x',
    'c',
    'z',
    'low',
    'u',
    '1,23',
    '12abc',
    'Infinity',
  ])('has no number in %j', (cell) => {
    expect(parseCensusNumber(cell)).toBeUndefined();
  });
});
