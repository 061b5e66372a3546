import { problemFromDatabase } from './database-problems';

describe('problemFromDatabase', () => {
  const violation = (code: string, constraint: string) => ({
    code,
    constraint,
    detail: 'Key (x)=(1) already exists.',
  });

  it('gives each constraint its own rule and message', () => {
    const cases: [string, string, string, RegExp][] = [
      ['23505', 'observations_pkey', 'duplicate_observation', /same school, measure, period/],
      ['23505', 'area_observations_pkey', 'duplicate_area_observation', /same area/],
      ['23505', 'datasets_tenant_id_content_hash_key', 'same_file_importing', /same file/],
      ['23505', 'datasets_one_current_per_series', 'version_published_meanwhile', /series/],
      ['23503', 'observations_tenant_id_urn_fkey', 'unknown_school', /does not describe/],
    ];
    for (const [code, constraint, rule, message] of cases) {
      const problem = problemFromDatabase('f.csv', violation(code, constraint));
      expect(problem).toMatchObject({ file: 'f.csv', rule, severity: 'error' });
      expect(problem!.message).toMatch(message);
      expect(problem!.message).toContain('already exists');
    }
  });

  it('names an unknown constraint instead of guessing, and leaves other errors alone', () => {
    expect(problemFromDatabase('f.csv', violation('23505', 'something_else'))).toMatchObject({
      rule: 'duplicate_value',
      message: expect.stringContaining('something_else'),
    });
    expect(problemFromDatabase('f.csv', { code: '57014' })).toBeNull();
    expect(problemFromDatabase('f.csv', new Error('boom'))).toBeNull();
  });
});
