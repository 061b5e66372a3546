import {
  GOVERNMENT_OFFICE_REGIONS,
  governmentOfficeRegionCode,
  parseGovernmentOfficeRegion,
  regionOfSubRegion,
} from './government-office-region';

describe('government office regions', () => {
  it('lists the nine English GORs once each', () => {
    expect(GOVERNMENT_OFFICE_REGIONS).toHaveLength(9);
    expect(new Set(GOVERNMENT_OFFICE_REGIONS.map((r) => r.code)).size).toBe(9);
    expect(governmentOfficeRegionCode('London')).toBe('E12000007');
  });

  it('reads alternative spellings and codes', () => {
    expect(parseGovernmentOfficeRegion('Yorkshire and the Humber')).toBe(
      'Yorkshire and The Humber',
    );
    expect(parseGovernmentOfficeRegion('  east of england ')).toBe('East of England');
    expect(parseGovernmentOfficeRegion('E12000009')).toBe('South West');
    expect(parseGovernmentOfficeRegion('Wales (pseudo)')).toBeUndefined();
  });

  it.each([
    ['North West B', 'North West'],
    ['North East A', 'North East'],
    ['West Midlands C', 'West Midlands'],
    ['East of England B', 'East of England'],
    ['South East D', 'South East'],
    ['South West A', 'South West'],
    ['East Midlands B', 'East Midlands'],
    ['North Yorkshire and The Humber', 'Yorkshire and The Humber'],
    ['South and West Yorkshire', 'Yorkshire and The Humber'],
    ['London Central', 'London'],
    ['London West', 'London'],
    ['South West', 'South West'],
  ])('maps sub-region %s to %s', (subRegion, region) => {
    expect(regionOfSubRegion(subRegion)).toBe(region);
  });

  it('does not guess: a letter after something that is not a GOR stays unknown', () => {
    expect(regionOfSubRegion('Middle Earth B')).toBeUndefined();
    expect(regionOfSubRegion('North Westish B')).toBeUndefined();
  });
});
