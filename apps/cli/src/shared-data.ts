import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder up from here with an nx.json (works from src and dist). */
export function repositoryRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** DfE's published files, kept beside the repository (never copied into it). */
export function sharedDataFolder(): string {
  return process.env.SCHOOLBENCH_DATA_DIR ?? join(repositoryRoot(), '..', 'shared', 'data');
}
