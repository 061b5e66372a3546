import { BUILT_IN_LOCAL_AUTHORITIES, LA_REGISTER_VERSION } from './built-in-local-authorities';
import { LaRegister, LaRegisterError, parseLaCode } from './la-register';

describe('LaRegister (built-in)', () => {
  const register = LaRegister.builtIn();

  it('is versioned and has no duplicate codes', () => {
    expect(register.version).toBe(LA_REGISTER_VERSION);
    const codes = BUILT_IN_LOCAL_AUTHORITIES.map((a) => a.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('has England’s 152 authorities before April 2019, 151 after, 152 from 2021, 153 from 2023', () => {
    expect(register.all('2019-03-31')).toHaveLength(152);
    expect(register.all('2019-04-01')).toHaveLength(151);
    expect(register.all('2021-04-01')).toHaveLength(152);
    expect(register.all('2023-04-01')).toHaveLength(153);
  });

  it('keeps Dorset, Poole and Bournemouth known after they were replaced in April 2019', () => {
    for (const old of [835, 836, 837]) {
      expect(register.isKnown(old)).toBe(true);
      expect(register.regionOf(old)).toBe('South West');
      expect(register.lookup(old, '2019-03-31')?.code).toBe(old);
      expect(register.lookup(old, '2019-04-01')).toBeUndefined();
    }
    expect(register.lookup(838, '2019-03-31')).toBeUndefined();
    expect(register.lookup('839', '2019-04-01')?.name).toBe('Bournemouth, Christchurch and Poole');
    expect(register.currentCodes(835, '2020-01-01')).toEqual([838, 839]);
    expect(register.currentCodes(836, '2020-01-01')).toEqual([839]);
    expect(register.currentCodes(837, new Date('2024-09-01T00:00:00Z'))).toEqual([839]);
    expect(register.currentCodes(835, '2018-09-01')).toEqual([835]);
    expect(register.regionOf(838)).toBe('South West');
  });

  it('records the Northamptonshire (2021) and Cumbria (2023) splits', () => {
    expect(register.currentCodes(928, '2021-04-01')).toEqual([940, 941]);
    expect(register.currentCodes(928, '2021-03-31')).toEqual([928]);
    expect(register.regionOf(941)).toBe('East Midlands');
    expect(register.currentCodes(909, '2023-04-01')).toEqual([942, 943]);
    expect(register.lookup(943)?.name).toBe('Westmorland and Furness');
    expect(register.regionOf(942)).toBe('North West');
  });

  it('keeps North Yorkshire on 815 through its 2023 change to a unitary authority', () => {
    expect(register.lookup(815, '2024-01-01')?.name).toBe('North Yorkshire');
    expect(register.regionOf('815')).toBe('Yorkshire and The Humber');
    expect(register.currentCodes(815, '2024-01-01')).toEqual([815]);
  });

  it('follows successors through the 2009 splits', () => {
    expect(register.currentCodes(820, '2010-01-01')).toEqual([822, 823]);
    expect(register.currentCodes(875, '2010-01-01')).toEqual([895, 896]);
    expect(register.currentCodes(895, '2008-01-01')).toEqual([]);
  });

  it('answers "unknown" rather than guessing', () => {
    expect(register.isKnown(999)).toBe(false);
    expect(register.isKnown('85')).toBe(false);
    expect(register.isKnown('abc')).toBe(false);
    expect(register.regionOf(999)).toBeUndefined();
    expect(register.currentCodes(999, '2020-01-01')).toEqual([]);
    expect(() => register.lookup(850, '1/4/2019')).toThrow(LaRegisterError);
  });

  it('parses codes from numbers and padded strings only when they have three digits', () => {
    expect(parseLaCode(' 850 ')).toBe(850);
    expect(parseLaCode(8502001)).toBeUndefined();
    expect(parseLaCode('')).toBeUndefined();
  });

  it('adds or renames authorities from a newer list, keeping dates and successors', () => {
    const newer = register.withAuthorities(
      [
        { code: 896, name: 'Cheshire West and Chester', region: 'North West' },
        { code: 944, name: 'Somewhere New', region: 'North East' },
      ],
      'test',
    );
    expect(newer.lookup(896)).toMatchObject({
      name: 'Cheshire West and Chester',
      validFrom: '2009-04-01',
    });
    expect(newer.regionOf(944)).toBe('North East');
    expect(newer.currentCodes(875, '2020-01-01')).toEqual([895, 896]);
    expect(register.isKnown(944)).toBe(false);
  });

  it('rejects a register whose successors are not in it', () => {
    expect(
      () =>
        new LaRegister(
          [
            {
              code: 100,
              name: 'A',
              region: 'London',
              validFrom: null,
              validTo: '2000-01-01',
              successors: [101],
            },
          ],
          'bad',
        ),
    ).toThrow(/unknown successor 101/);
  });
});
