import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** One benchmark: `node dist/bench/src/main.js <name> [args]`. */
export interface Benchmark {
  readonly description: string;
  run(args: readonly string[]): Promise<void>;
}

/** DfE's published files beside the repository (`../shared/data`), from src or dist. */
export function sharedDataFile(...parts: string[]): string {
  if (process.env.SCHOOLBENCH_DATA_DIR) return join(process.env.SCHOOLBENCH_DATA_DIR, ...parts);
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No nx.json above ${__dirname}; set SCHOOLBENCH_DATA_DIR`);
    dir = parent;
  }
  return resolve(dir, '..', 'shared', 'data', ...parts);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
