import { readFileSync } from 'node:fs';

import { collectImport } from '../import/import-file';
import type { Observation, SummaryObservation } from '../model/observation';
import { sharedDataFile } from '../testing/shared-data-folder';
import { toEesCsv } from './ees-export';

/** Observations as comparable text: place, measure, period, pupil group; and value or symbol. */
function keyed(rows: readonly (Observation | SummaryObservation)[]): Map<string, string> {
  return new Map(
    rows.map((o) => [
      [
        'urn' in o ? o.urn : `${o.area.level}:${o.area.code}:${o.area.variant}`,
        o.measure,
        o.period.timePeriod,
        o.period.timeIdentifier,
        o.breakdown,
      ].join('|'),
      String(o.value ?? o.suppression),
    ]),
  );
}

/**
 * What reading back changed: observations lost or altered (must be none), and cells added. EES
 * files are wide (one column per measure) and allow no blank cell, so a row's measures the source
 * file did not give are written `x` (not available) and come back as `x` observations.
 */
export function readBackDifferences(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): { changed: string[]; addedOtherThanX: string[]; addedX: number } {
  const changed = [...before]
    .filter(([k, v]) => after.get(k) !== v)
    .map(([k, v]) => `${k}: ${v} → ${after.get(k)}`);
  const added = [...after].filter(([k]) => !before.has(k));
  return {
    changed: changed.slice(0, 10),
    addedOtherThanX: added
      .filter(([, v]) => v !== 'x')
      .map(([k, v]) => `${k}: ${v}`)
      .slice(0, 10),
    addedX: added.filter(([, v]) => v === 'x').length,
  };
}

/**
 * A tenant export writes each dataset version with `toEesCsv` (issue 15, ADR 0081): the EES
 * importer must read it back to the same observations, or an authority could not take its data
 * elsewhere and back.
 */
describe('EES export read back by the EES import', () => {
  it('gives back the observations of a real DfE KS4 file', async () => {
    const original = await collectImport({
      file: {
        name: '2016-2017_850_ks4final.csv',
        bytes: readFileSync(
          sharedDataFile('dfe', 'la-850-hampshire', '2016-2017_850_ks4final.csv'),
        ),
      },
    });
    const schools = new Map(original.schools.map((s) => [s.urn, s]));
    const ees = toEesCsv([...original.observations, ...original.summaryObservations], { schools });
    const again = await collectImport({
      file: { name: '2016-2017_850_ks4final.csv', bytes: ees.dataCsv },
      meta: { name: '2016-2017_850_ks4final.meta.csv', bytes: ees.metaCsv },
    });
    expect(again.problems.filter((p) => p.severity === 'error')).toEqual([]);
    for (const [before, after] of [
      [original.observations, again.observations],
      [original.summaryObservations, again.summaryObservations],
    ] as const) {
      const differences = readBackDifferences(keyed(before), keyed(after));
      expect({ ...differences, addedX: undefined }).toEqual({
        changed: [],
        addedOtherThanX: [],
        addedX: undefined,
      });
    }
  });
});
