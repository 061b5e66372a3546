import {
  MEASURE_CATALOGUE,
  type MeasureCatalogue,
  type SourceFormat,
} from '../catalogue/measure-catalogue';
import { mappingProfileSchema, type MappingProfile } from './mapping-profile';

/**
 * Mapping profiles for the all-England extracts re-published with friendly column names
 * (`Overall Meet Std`, `Reading Progress`, `Academic Year` = the year the academic year ends).
 * The column → measure pairs come from the catalogue's `national-extract-*` sources, so the
 * catalogue stays the one place that says which column feeds which measure.
 */
function profileFromCatalogue(
  catalogue: MeasureCatalogue,
  format: SourceFormat,
  base: Omit<MappingProfile, 'columns' | 'version' | 'values'>,
): MappingProfile {
  const columns: MappingProfile['columns'] = [];
  for (const measure of catalogue.measures) {
    for (const source of measure.sources) {
      if (source.format !== format) continue;
      for (const [breakdown, column] of Object.entries(source.columns)) {
        columns.push({
          column,
          measure: measure.code,
          breakdown,
          ...(source.denominators?.[breakdown]
            ? { denominatorColumn: source.denominators[breakdown] }
            : {}),
          ...(source.years ? { years: source.years } : {}),
        });
      }
    }
  }
  return mappingProfileSchema.parse({ ...base, columns });
}

export function nationalExtractProfiles(
  catalogue: MeasureCatalogue = MEASURE_CATALOGUE,
): MappingProfile[] {
  return [
    profileFromCatalogue(catalogue, 'national-extract-ks2', {
      id: 'national-extract-ks2',
      name: 'All-England KS2 extract (re-published, 2015/16 to 2017/18)',
      description:
        'Columns renamed by the re-publisher; Academic Year holds the year the academic year ends.',
      matchColumns: ['URN', 'KS2 Pupils', 'Overall Meet Std', 'Academic Year'],
      urnColumn: 'URN',
      period: {
        column: 'Academic Year',
        transform: 'academic_year_end',
        timeIdentifier: 'Academic year',
      },
      // The words for the progress bands, which are stored as numbers (`… Progress Band`).
      ignoreColumns: ['Reading Progress Desc', 'Writing Progress Desc', 'Maths Progress Desc'],
    }),
    profileFromCatalogue(catalogue, 'national-extract-ks4', {
      id: 'national-extract-ks4',
      name: 'All-England KS4 extract (re-published, 2015/16 to 2017/18)',
      description:
        'Columns renamed by the re-publisher; Academic Year holds the year the academic year ends.',
      matchColumns: ['URN', 'KS4 Pupils', 'Attainment 8', 'Academic Year'],
      urnColumn: 'URN',
      period: {
        column: 'Academic Year',
        transform: 'academic_year_end',
        timeIdentifier: 'Academic year',
      },
      ignoreColumns: ['P8 Desc'],
    }),
  ];
}
