import { existsSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';

import {
  ComparisonInputError,
  defaultComparisonMethods,
  groupsFromCensus,
  readCensusFile,
  type CensusGroups,
} from '@schoolbench/comparisons-core';
import { LaRegister, LaRegisterError, readLaRegionCodesFile } from '@schoolbench/la-register';

export interface SimilarOptions {
  readonly census: string;
  readonly schoolType: string;
  readonly k?: string;
  readonly method: string;
  readonly out: string;
  readonly laCodes?: string;
}

/** A mistake in the command line or its input files: shown as is, exit code 2. */
class SimilarInputError extends Error {}

function parseK(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()))
    throw new SimilarInputError(`--k must be a whole number; got "${text}"`);
  return Number(text);
}

async function registerFor(laCodes: string | undefined): Promise<LaRegister> {
  const builtIn = LaRegister.builtIn();
  if (laCodes === undefined) return builtIn;
  if (!existsSync(laCodes)) throw new SimilarInputError(`LA code list not found: ${laCodes}`);
  const codes = await readLaRegionCodesFile(laCodes);
  return builtIn.withAuthorities(codes, `${builtIn.version}+${laCodes}`);
}

/** `urn,rank,neighbour_urn,distance`, distances to 12 decimals as in the oracle file. */
function groupsCsv({ groups }: CensusGroups): string {
  const lines = ['urn,rank,neighbour_urn,distance'];
  for (const row of groups.rows()) {
    lines.push(`${row.urn},${row.rank},${row.neighbourUrn},${row.distance.toFixed(12)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Builds the groups and writes them; returns the summary line. Throws on bad input. */
export async function runSimilar(options: SimilarOptions): Promise<string> {
  const started = performance.now();
  const methods = defaultComparisonMethods();
  const method = methods.get(options.method);
  if (method.id !== options.method) {
    throw new SimilarInputError(`Give the method with its version, e.g. ${method.id}`);
  }
  const k = parseK(options.k);
  const out = resolve(options.out);
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) {
    throw new SimilarInputError(`Output folder does not exist: ${dirname(out)}`);
  }
  const table = await readCensusFile(options.census);
  const result = groupsFromCensus(table, method, {
    schoolType: options.schoolType,
    register: await registerFor(options.laCodes),
    ...(k === undefined ? {} : { k }),
  });

  // Write beside the target and rename, so a failed run never leaves a half-written file.
  const partial = `${out}.partial-${process.pid}`;
  try {
    await writeFile(partial, groupsCsv(result));
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }

  const { census, groups } = result;
  const left = census.excluded.length + groups.excluded.length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return (
    `${method.id}: ${groups.size} ${census.schoolType} schools, ${groups.memberCount} rows → ${options.out}` +
    (left > 0 ? `; ${left} left out for missing data` : '') +
    ` (${seconds} s)`
  );
}

export function registerSimilarCommand(program: Command): void {
  const methods = defaultComparisonMethods();
  program
    .command('similar')
    .description('Group every school of one census SCHOOLTYPE with its most similar schools')
    .requiredOption('--census <file>', 'DfE school census CSV (e.g. 2018-2019_england_census.csv)')
    .requiredOption('--school-type <type>', 'census SCHOOLTYPE, e.g. "State-funded primary"')
    .option(
      '--k <k>',
      'schools per group (default: the method’s, 20 for context-knn-v1, 29 for fbit-pupil-v1)',
    )
    .option('--method <id>', `comparison method: ${methods.ids().join(' | ')}`, 'context-knn-v1')
    .option(
      '--la-codes <file>',
      'a newer DfE la_and_region_codes_meta.csv to add to the built-in LA register',
    )
    .requiredOption('--out <file>', 'where to write urn,rank,neighbour_urn,distance')
    .action(async (options: SimilarOptions, command: Command) => {
      try {
        process.stdout.write(`${await runSimilar(options)}\n`);
      } catch (error) {
        if (
          error instanceof SimilarInputError ||
          error instanceof ComparisonInputError ||
          error instanceof LaRegisterError
        ) {
          command.error(`Error: ${error.message}`, { exitCode: 2, code: 'schoolbench.similar' });
        }
        throw error;
      }
    });
}
