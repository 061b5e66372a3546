import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  censusPopulation,
  CONTEXT_KNN_DEFAULT_FEATURES,
  contextKnnV1,
  KdTree,
  readCensusFile,
  standardise,
  type SchoolPopulation,
} from '@schoolbench/comparisons-core';

import { median, seconds, sharedDataFile, type Benchmark } from './benchmark';

const K = 10;
const RUNS = 7;
const GOAL_SECONDS = 2;
const GOAL_RATIO = 1.5;

// The peer: scikit-learn's NearestNeighbors on the same matrix, standardised the same way
// (population sd), k + 1 neighbours because each school finds itself. One untimed warm-up run,
// as for ours.
const PEER_SCRIPT = `
import json, os, sys, time
import numpy as np
import sklearn
from sklearn.neighbors import NearestNeighbors
path, n, d, k, runs, indices_out = sys.argv[1:]
X = np.fromfile(path, dtype='<f8').reshape(int(n), int(d))
k, runs = int(k), int(runs)
out = {'sklearn': sklearn.__version__, 'numpy': np.__version__, 'cpus': os.cpu_count(), 'times': {}}
for algorithm in ('kd_tree', 'brute'):
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        Z = (X - X.mean(axis=0)) / X.std(axis=0)
        _, ind = NearestNeighbors(n_neighbors=k + 1, algorithm=algorithm).fit(Z).kneighbors(Z)
        if run:
            times.append(time.perf_counter() - start)
    out['times'][algorithm] = times
    if algorithm == 'kd_tree':
        ind.astype('<i4').tofile(indices_out)
print(json.dumps(out))
`;

interface PeerResult {
  sklearn: string;
  numpy: string;
  cpus: number;
  times: Record<'kd_tree' | 'brute', number[]>;
}

/** Times each function `runs` times, taking turns, after one untimed warm-up call each. */
function timedAlternately(runs: number, fns: readonly (() => void)[]): number[][] {
  for (const fn of fns) fn(); // warm-up: let V8 optimise before measuring
  const times = fns.map((): number[] => []);
  for (let run = 0; run < runs; run++) {
    fns.forEach((fn, i) => {
      const start = performance.now();
      fn();
      times[i]?.push(performance.now() - start);
    });
  }
  return times;
}

/** A Python with scikit-learn: $SCHOOLBENCH_PYTHON, python3, or Debian's /usr/bin/python3. */
function findPython(): string | undefined {
  const candidates = [process.env.SCHOOLBENCH_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => !!c,
  );
  return candidates.find(
    (python) =>
      spawnSync(python, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' }).status === 0,
  );
}

function runPeer(
  population: SchoolPopulation,
): { result: PeerResult; indices: Int32Array } | string {
  const python = findPython();
  if (!python) {
    return 'scikit-learn not found. Install it with `apt-get install python3-sklearn` (Debian), or set SCHOOLBENCH_PYTHON to a python that has it.';
  }
  const folder = mkdtempSync(join(tmpdir(), 'bench-knn-'));
  try {
    const n = population.urns.length;
    const d = population.features.length;
    const matrix = join(folder, 'matrix.f64');
    const indices = join(folder, 'indices.i32');
    const script = join(folder, 'peer.py');
    writeFileSync(
      matrix,
      Buffer.from(
        population.values.buffer,
        population.values.byteOffset,
        population.values.byteLength,
      ),
    );
    writeFileSync(script, PEER_SCRIPT);
    const peer = spawnSync(
      python,
      [script, matrix, String(n), String(d), String(K), String(RUNS), indices],
      {
        encoding: 'utf8',
        timeout: 600_000,
      },
    );
    if (peer.status !== 0)
      return `scikit-learn run failed (${python}): ${peer.stderr || peer.error?.message}`;
    const bytes = readFileSync(indices);
    return {
      result: JSON.parse(peer.stdout) as PeerResult,
      indices: new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Compares our groups with scikit-learn's kd_tree neighbours as sets (its order among equal
 * distances is arbitrary). A difference is expected only where several schools are equally far
 * at the k-th place: `tied` counts those, `other` anything else (should be 0).
 */
function agreement(
  population: SchoolPopulation,
  indices: Int32Array,
): { tied: number; other: number } {
  const n = population.urns.length;
  const d = population.features.length;
  const columns = Array.from({ length: d }, (_, j) => j);
  const { scores } = standardise(
    population.values,
    n,
    columns,
    d,
    columns.map(() => 1),
  );
  const distance = (a: number, b: number): number => {
    let total = 0;
    for (let j = 0; j < d; j++) total += (scores[a * d + j] - scores[b * d + j]) ** 2;
    return Math.sqrt(total);
  };
  const groups = contextKnnV1.findGroups(population, { k: K });
  const row = new Map(Array.from(population.urns, (urn, i) => [urn, i]));
  let tied = 0;
  let other = 0;
  for (let i = 0; i < n; i++) {
    const ours = (groups.groupOf(population.urns[i]) ?? []).map((m) => row.get(m.urn) ?? -1);
    const theirs = Array.from(indices.subarray(i * (K + 1), (i + 1) * (K + 1)))
      .filter((j) => j !== i)
      .slice(0, K);
    const missing = theirs.filter((j) => !ours.includes(j));
    if (missing.length === 0) continue;
    const kth = distance(i, ours[K - 1]);
    if (missing.every((j) => Math.abs(distance(i, j) - kth) <= 1e-9 * kth)) tied++;
    else other++;
  }
  return { tied, other };
}

function line(label: string, ms: number, note = ''): string {
  return `  ${label.padEnd(44)}${seconds(ms).padStart(10)}  ${note}`.trimEnd();
}

export const benchmark: Benchmark = {
  description:
    'similar-school groups (context-knn-v1, k = 10) for every state-funded primary school vs scikit-learn',
  async run() {
    const file = sharedDataFile('dfe/national/2018-2019_england_census.csv');
    const loadStart = performance.now();
    const table = await readCensusFile(file);
    const { population } = censusPopulation(table, {
      schoolType: 'State-funded primary',
      features: CONTEXT_KNN_DEFAULT_FEATURES,
      missing: 'drop',
    });
    const loadMs = performance.now() - loadStart;
    const n = population.urns.length;
    const d = population.features.length;

    // Alternate the two measurements so a busy machine slows both alike.
    const columns = Array.from({ length: d }, (_, j) => j);
    const unit = columns.map(() => 1);
    const [methodTimes, searchTimes] = timedAlternately(RUNS, [
      () => contextKnnV1.findGroups(population, { k: K }),
      () => {
        const { scores } = standardise(population.values, n, columns, d, unit);
        const tree = new KdTree(scores, d);
        for (const i of tree.pointsInTreeOrder()) tree.nearest(i, K);
      },
    ]) as [number[], number[]];
    const ours = median(methodTimes);
    const searchOnly = median(searchTimes);

    const out: string[] = [
      `kNN similar-school groups: ${n} state-funded primary schools (national census 2018/19), ${d} features, k = ${K}`,
      `median of ${RUNS} runs after a warm-up (load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs); census read once in ${seconds(loadMs)}`,
      '',
      line(
        'SchoolBench context-knn-v1 (whole method)',
        ours,
        `fastest run ${seconds(Math.min(...methodTimes))}`,
      ),
      line('  standardise + KD tree + k-NN search only', searchOnly, 'the same work as the peer'),
    ];
    const peer = runPeer(population);
    let best: number | undefined;
    if (typeof peer === 'string') {
      out.push('', `  peer: ${peer}`);
    } else {
      const { result } = peer;
      const kd = median(result.times.kd_tree) * 1000;
      const brute = median(result.times.brute) * 1000;
      const fastest = (times: number[]): string =>
        `fastest run ${seconds(Math.min(...times) * 1000)}`;
      best = Math.min(kd, brute);
      const agree = agreement(population, peer.indices);
      const ratio = (peer: number): string => `ours / this = ${(ours / peer).toFixed(2)}×`;
      out.push(
        line(
          `scikit-learn ${result.sklearn} NearestNeighbors kd_tree`,
          kd,
          `${ratio(kd)}; ${fastest(result.times.kd_tree)}`,
        ),
        line(
          `scikit-learn ${result.sklearn} NearestNeighbors brute`,
          brute,
          `${ratio(brute)}; ${fastest(result.times.brute)}`,
        ),
        `  (numpy ${result.numpy}, ${result.cpus} CPUs; brute uses all of them, the KD trees one)`,
        `  same schools as scikit-learn's kd_tree: ${n - agree.tied - agree.other} of ${n} groups; ${agree.tied} differ only in which of equally distant schools takes the k-th place, ${agree.other} otherwise`,
      );
    }
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
    out.push(
      '',
      `goal: ≤ ${GOAL_SECONDS} s ............................ ${verdict(ours <= GOAL_SECONDS * 1000)} (${seconds(ours)})`,
      best === undefined
        ? `goal: ≤ ${GOAL_RATIO} × scikit-learn's best ........... not measured (no scikit-learn)`
        : `goal: ≤ ${GOAL_RATIO} × scikit-learn's best (${seconds(best)}) ... ${verdict(ours <= GOAL_RATIO * best)} (${(ours / best).toFixed(2)}×)`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  },
};
