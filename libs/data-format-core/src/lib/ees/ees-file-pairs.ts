import type { NamedFile } from '../import/import-options';
import { ProblemLog, type Problem } from '../problems/problem';
import { readEesMeta } from './ees-meta';
import type { EesReferenceLists } from './ees-reference-lists';
import { EesScreen, screenFileNames } from './ees-screener';

export interface EesFilePair {
  /** Data file name; absent when only a metadata file was uploaded. */
  readonly data?: string;
  readonly meta?: string;
}

function isMetaName(name: string): boolean {
  return /\.meta(\.[^./\\]+)?$/i.test(name);
}

function stemOf(name: string): string {
  return name.replace(/^.*[\\/]/, '').replace(/(\.meta)?(\.[^./\\]+)?$/i, '');
}

/**
 * Pairs the files of one upload the way EES does: `x.csv` with `x.meta.csv`. Names that do not
 * follow the convention still pair by their stem so the screener can say what is wrong with them.
 */
export function pairEesFiles(names: readonly string[]): EesFilePair[] {
  const byStem = new Map<string, { data: string[]; meta: string[] }>();
  for (const name of names) {
    const stem = stemOf(name);
    let group = byStem.get(stem);
    if (!group) byStem.set(stem, (group = { data: [], meta: [] }));
    (isMetaName(name) ? group.meta : group.data).push(name);
  }
  const pairs: EesFilePair[] = [];
  for (const { data, meta } of byStem.values()) {
    if (data.length === 0) {
      for (const m of meta) pairs.push({ meta: m });
      continue;
    }
    // Prefer the conventional .meta.csv when several candidates share the stem.
    const sorted = [...meta].sort(
      (a, b) => Number(!/\.meta\.csv$/i.test(a)) - Number(!/\.meta\.csv$/i.test(b)),
    );
    for (const d of data)
      pairs.push(sorted[0] === undefined ? { data: d } : { data: d, meta: sorted[0] });
  }
  return pairs;
}

/** Screens a metadata file uploaded without its data file: the pairing rule plus the metadata rules. */
export async function screenUnpairedMeta(
  meta: NamedFile,
  lists?: EesReferenceLists,
): Promise<Problem[]> {
  const problems = new ProblemLog(meta.name);
  const dataName = `${stemOf(meta.name)}.csv`;
  problems.add('file_pair_missing', {
    value: meta.name,
    message: `${meta.name} came without its data file (${dataName}); EES files come in pairs.`,
  });
  screenFileNames(dataName, meta.name, problems);
  const parsed = await readEesMeta(meta.bytes, problems);
  if (!parsed.state.fatal && parsed.header.length > 0) {
    // An empty data header: the metadata rules run, the cross-file ones have nothing to compare.
    new EesScreen([], parsed, new ProblemLog(dataName), problems, undefined, lists);
    if (parsed.state.encoding !== 'utf-8') {
      problems.add('utf8', { message: 'The metadata file is not saved as UTF-8.' });
    }
  }
  return problems.drain();
}
