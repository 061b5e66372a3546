import type { Problem } from '@schoolbench/data-format-core';
import { citusConstraintName } from '@schoolbench/database';

/** What a unique or foreign-key violation means for an import, by the constraint's name. */
const CONSTRAINTS: Record<string, Pick<Problem, 'rule' | 'message' | 'fix'>> = {
  observations_pkey: {
    rule: 'duplicate_observation',
    message: 'The file has the same school, measure, period and breakdown twice',
    fix: 'Keep one row per school, measure, period and breakdown, then upload the file again.',
  },
  area_observations_pkey: {
    rule: 'duplicate_area_observation',
    message: 'The file has the same area, measure, period and breakdown twice',
    fix: 'Keep one row per area, measure, period and breakdown, then upload the file again.',
  },
  datasets_tenant_id_content_hash_key: {
    rule: 'same_file_importing',
    message: 'The same file was being imported at the same moment by another upload',
    fix: 'Look at your datasets: the other upload has it. Upload again only if it failed.',
  },
  datasets_one_current_per_series: {
    rule: 'version_published_meanwhile',
    message: 'Another version of the same dataset series was published at the same moment',
    fix: 'Upload the file again: it becomes the newest version.',
  },
  observations_tenant_id_urn_fkey: {
    rule: 'unknown_school',
    message: 'The file has values for a school it does not describe',
    fix: 'Include the school’s URN and name in the file, or add the school to your register first.',
  },
};

/**
 * Database errors a bad file (or a concurrent upload) can still cause, as report lines: matched by
 * constraint name, each with its own message. Anything else is not the file's fault: null, so the
 * caller rethrows it.
 */
export function problemFromDatabase(file: string, error: unknown): Problem | null {
  const { code, constraint, detail } = error as {
    code?: string;
    constraint?: string;
    detail?: string;
  };
  if (code !== '23505' && code !== '23503') return null;
  const name = constraint ?? citusConstraintName(error);
  const known = name ? CONSTRAINTS[name] : undefined;
  const meaning = known ?? {
    rule: code === '23505' ? 'duplicate_value' : 'missing_reference',
    message: `The import conflicts with data already stored (${name ?? 'unnamed constraint'})`,
    fix: 'Check the file against the validation rules, then upload it again.',
  };
  return {
    file,
    line: null,
    column: null,
    value: detail ?? null,
    rule: meaning.rule,
    severity: 'error',
    message: detail ? `${meaning.message} (${detail})` : meaning.message,
    fix: meaning.fix,
  };
}
