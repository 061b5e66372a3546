import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The real DfE files live beside the repository (`../shared/data` from the folder holding
 * nx.json) and are never copied into it; tests find them by walking up from here.
 */
export function sharedDataFile(...parts: string[]): string {
  let dir = resolve(__dirname);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return resolve(dir, '..', 'shared', 'data', ...parts);
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`No nx.json above ${__dirname}; cannot locate ../shared/data`);
    dir = parent;
  }
}
