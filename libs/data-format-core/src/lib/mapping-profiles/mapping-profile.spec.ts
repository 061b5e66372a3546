import { collectImport } from '../import/import-file';
import { parseMappingProfile, type MappingProfileInput } from './mapping-profile';
import { periodFromCell } from './mapping-profile-adapter';
import { nationalExtractProfiles } from './national-extract-profiles';

const PROFILE: MappingProfileInput = {
  id: 'oxfordshire-attendance',
  name: 'Oxfordshire termly attendance export',
  urnColumn: 'School URN',
  schoolNameColumn: 'School',
  laCodeColumn: 'LA',
  period: { column: 'Year', transform: 'year_range', timeIdentifier: 'Academic year' },
  columns: [
    { column: 'Absence rate', measure: 'overall_absence_pct' },
    {
      column: 'PA rate (disadvantaged)',
      measure: 'persistent_absence_pct',
      breakdown: 'disadvantaged',
    },
  ],
  ignoreColumns: ['Notes'],
  values: { codes: { '*': 'c' }, percentages: 'fraction' },
};

describe('mapping profiles', () => {
  it('accepts a valid profile and fills in defaults', () => {
    const { profile, problems } = parseMappingProfile(PROFILE);
    expect(problems).toEqual([]);
    expect(profile?.columns[0]?.breakdown).toBe('all');
    expect(profile?.version).toBe(1);
  });

  it('explains what is wrong with an invalid profile, field by field', () => {
    const { profile, problems } = parseMappingProfile({
      ...PROFILE,
      period: { column: 'Year', transform: 'fiscal', timeIdentifier: 'Academic year' },
    });
    expect(profile).toBeNull();
    expect(problems[0]).toMatchObject({ rule: 'invalid_mapping_profile', column: 'period' });

    const catalogueProblems = parseMappingProfile({
      ...PROFILE,
      columns: [
        { column: 'Absence rate', measure: 'absence_rate' },
        { column: 'A', measure: 'overall_absence_pct' },
        { column: 'B', measure: 'overall_absence_pct' },
      ],
    }).problems;
    expect(catalogueProblems.map((p) => [p.column, p.value])).toEqual([
      ['columns.0.measure', 'absence_rate'],
      ['columns.2.column', 'B'],
    ]);
  });

  it('imports any CSV the profile describes', async () => {
    const { profile } = parseMappingProfile(PROFILE);
    const csv = [
      'School URN,School,LA,Year,Absence rate,PA rate (disadvantaged),Notes',
      '123456,Wheatley Park,931,2018/19,0.052,*,new head',
      '123457,Bartholomew,931,2017-18,0.041,0.183,',
      '123458,Elsewhere,850,2018/19,1.2,0.2,',
    ].join('\n');
    const result = await collectImport({
      file: { name: 'attendance.csv', bytes: csv },
      profile: profile ?? undefined,
      restrictToLaCodes: ['931'],
    });
    expect(result.report.adapter).toBe('profile:oxfordshire-attendance');
    expect(result.schools).toEqual([
      { urn: '123456', name: 'Wheatley Park', laCode: '931' },
      { urn: '123457', name: 'Bartholomew', laCode: '931' },
    ]);
    expect(
      result.observations.map((o) => [
        o.urn,
        o.period.timePeriod,
        o.measure,
        o.breakdown,
        o.value ?? o.suppression,
      ]),
    ).toEqual([
      ['123456', '201819', 'overall_absence_pct', 'all', 5.2],
      ['123456', '201819', 'persistent_absence_pct', 'disadvantaged', 'c'],
      ['123457', '201718', 'overall_absence_pct', 'all', 4.1],
      ['123457', '201718', 'persistent_absence_pct', 'disadvantaged', 18.3],
    ]);
    expect(result.problems.map((p) => p.rule)).toEqual(['other_la_row_skipped']);
  });

  it('reports a file that lacks the columns its profile needs', async () => {
    const { profile } = parseMappingProfile(PROFILE);
    const result = await collectImport({
      file: { name: 'other.csv', bytes: 'URN,Rate\n123456,4' },
      profile: profile ?? undefined,
    });
    expect(
      result.problems.filter((p) => p.severity === 'error').map((p) => [p.rule, p.column]),
    ).toEqual([
      ['profile_column_missing', 'School URN'],
      ['profile_column_missing', 'Year'],
    ]);
  });

  it.each([
    ['2018', 'academic_year_end', '201718'],
    ['2017', 'academic_year_start', '201718'],
    ['2017/18', 'year_range', '201718'],
    ['2017-2018', 'year_range', '201718'],
    ['201718', 'ees_time_period', '201718'],
    ['201719', 'ees_time_period', null],
    ['18/19', 'year_range', null],
  ])('period %s read as %s is %s', (raw, transform, expected) => {
    expect(periodFromCell(raw, transform)).toBe(expected);
  });

  it('builds the national extract profiles from the catalogue', () => {
    const [ks2, ks4] = nationalExtractProfiles();
    expect(ks2?.columns).toContainEqual({
      column: 'Overall Meet Std',
      measure: 'ks2_rwm_expected_pct',
      breakdown: 'all',
      denominatorColumn: 'KS2 Pupils',
      years: ['201516', '201617', '201718'],
    });
    expect(ks4?.period).toEqual({
      column: 'Academic Year',
      transform: 'academic_year_end',
      timeIdentifier: 'Academic year',
    });
    for (const p of [ks2, ks4]) expect(parseMappingProfile(p).problems).toEqual([]);
  });
});
