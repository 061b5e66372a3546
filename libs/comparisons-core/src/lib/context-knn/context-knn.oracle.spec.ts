import { readFileSync } from 'node:fs';

import { groupsFromCensus } from '../population/census-groups';
import { readCensusFile } from '../population/census-table';
import { sharedDataFile } from '../testing/shared-data-folder';
import { contextKnnV1 } from './context-knn';

// Reading the national files takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

interface OracleGroup {
  neighbours: number[];
  distances: number[];
}

function readOracle(): Map<number, OracleGroup> {
  const text = readFileSync(sharedDataFile('expected/knn-census-2019-primary-k10.csv'), 'utf8');
  const lines = text.trim().split(/\r?\n/);
  if (lines[0] !== 'urn,rank,neighbour_urn,distance')
    throw new Error(`Unexpected header ${lines[0]}`);
  const groups = new Map<number, OracleGroup>();
  for (const line of lines.slice(1)) {
    const [urn, rank, neighbour, distance] = line.split(',').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const group = groups.get(urn) ?? { neighbours: [], distances: [] };
    if (rank !== group.neighbours.length + 1) throw new Error(`Rank out of order: ${line}`);
    group.neighbours.push(neighbour);
    group.distances.push(distance);
    groups.set(urn, group);
  }
  return groups;
}

/**
 * The oracle (SPEC §8) was computed with scikit-learn and lists schools by floating-point
 * distance. In three groups two schools are at mathematically equal distances (e.g. 0.9 above
 * and 0.9 below the target on one feature) whose computed distances differ by ~1e-16, and the
 * oracle lists the higher URN first. SPEC §8 says ties go by ascending URN, and so do we; the
 * test pins exactly these three, and checks that each differs only inside such a tie.
 */
const ORACLE_TIES_NOT_BY_URN = [120534, 121620, 143409];

describe('context-knn-v1 on the national 2018/19 census (oracle: scikit-learn, k = 10)', () => {
  it('reproduces every state-funded primary school’s group', async () => {
    const table = await readCensusFile(sharedDataFile('dfe/national/2018-2019_england_census.csv'));
    const { census, groups } = groupsFromCensus(table, contextKnnV1, {
      schoolType: 'State-funded primary',
      k: 10,
    });
    const oracle = readOracle();
    expect(census.excluded).toEqual([{ urn: 110226, reason: expect.stringMatching(/^missing /) }]);
    expect(groups.size).toBe(16768);
    expect([...oracle.keys()].sort((a, b) => a - b)).toEqual(Array.from(groups.urns));

    const ours = new Map<number, OracleGroup>();
    for (const row of groups.rows()) {
      const group = ours.get(row.urn) ?? { neighbours: [], distances: [] };
      group.neighbours.push(row.neighbourUrn);
      group.distances.push(row.distance);
      ours.set(row.urn, group);
    }

    let worstDistanceError = 0;
    const orderDiffers: number[] = [];
    const notATie: string[] = [];
    for (const [urn, expected] of oracle) {
      const got = ours.get(urn) as OracleGroup;
      if (got.neighbours.length !== 10) notATie.push(`${urn}: ${got.neighbours.length} members`);
      expected.distances.forEach((distance, i) => {
        worstDistanceError = Math.max(worstDistanceError, Math.abs(got.distances[i] - distance));
      });
      const differing = expected.neighbours.flatMap((n, i) => (got.neighbours[i] === n ? [] : [i]));
      if (differing.length === 0) continue;
      orderDiffers.push(urn);
      // Each differing position must sit in a run of equal printed distances holding the same
      // schools, which we list by ascending URN.
      for (const i of differing) {
        let start = i;
        let end = i;
        const at = (j: number): number => expected.distances[j];
        while (start > 0 && Math.abs(at(start - 1) - at(i)) < 2e-12) start--;
        while (end < 9 && Math.abs(at(end + 1) - at(i)) < 2e-12) end++;
        const theirs = expected.neighbours.slice(start, end + 1);
        const mine = got.neighbours.slice(start, end + 1);
        const sorted = [...theirs].sort((a, b) => a - b);
        if (end === start || end === 9 || mine.join() !== sorted.join()) {
          notATie.push(`${urn} rank ${i + 1}: oracle ${theirs.join(' ')}, ours ${mine.join(' ')}`);
        }
      }
    }
    expect(worstDistanceError).toBeLessThan(1e-9);
    expect(notATie).toEqual([]);
    expect(orderDiffers.sort((a, b) => a - b)).toEqual(ORACLE_TIES_NOT_BY_URN);
  });
});
