import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { loadEesReferenceLists, type EesReferenceLists } from '../ees/ees-reference-lists';

/**
 * The real DfE and EES files live beside the repository (`../shared/data` from the folder that
 * holds nx.json) and are never copied into it. Tests find them by walking up from here.
 */
export function sharedDataFolder(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return resolve(dir, '..', 'shared', 'data');
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No nx.json above ${from}; cannot locate ../shared/data`);
    dir = parent;
  }
}

export function sharedDataFile(...parts: string[]): string {
  return join(sharedDataFolder(), ...parts);
}

/** DfE's EES screener reference lists beside the repository, as the product reads them. */
export function sharedEesReferenceLists(): EesReferenceLists {
  return loadEesReferenceLists(sharedDataFile('ees', 'lookups'));
}
