import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `shared_withheld_cells` (1763850000000-sharing.ts) filtered the URNs and measures asked for on
 * the observations only, after pairing every named reach row of the caller with every grant of
 * its protocol: on the demo a school profile (one URN) paired 7,700 rows before filtering and
 * took seconds. The same filters now apply to the reach rows and grants first, so one school's
 * cells are an index probe per grant. Same rows, same owner, security and privileges
 * (CREATE OR REPLACE keeps them); ROWS 10 as 1764900000000 set it.
 */
export class WithheldCellsBySchool1765560000001 implements MigrationInterface {
  name = 'WithheldCellsBySchool1765560000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(body(true));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(body(false));
  }
}

/** The function's SQL definition, with the filters applied first or (as before) only at the end. */
export function body(filterFirst: boolean): string {
  const first = filterFirst
    ? `AND (p_urns IS NULL OR r.urn = ANY (p_urns))
          AND (p_measures IS NULL OR g.measure = ANY (p_measures))`
    : '';
  return `
      CREATE OR REPLACE FUNCTION shared_withheld_cells(p_urns integer[], p_measures text[], p_periods integer[], p_breakdowns text[])
      RETURNS TABLE (tenant_id uuid, dataset_id uuid, urn integer, measure varchar, time_period integer,
                     time_identifier varchar, breakdown varchar)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 10 AS $fn$
        SELECT DISTINCT o.tenant_id, o.dataset_id, o.urn, o.measure, o.time_period, o.time_identifier, o.breakdown
        FROM sharing_reach r
        JOIN sharing_grants g ON g.tenant_id = r.tenant_id AND g.protocol_id = r.protocol_id
                             AND g.grantee_tenant_id = r.grantee_tenant_id
        JOIN observations o ON o.tenant_id = r.tenant_id AND o.urn = r.urn AND o.measure = g.measure
        JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
        WHERE r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
          AND current_date BETWEEN r.valid_from AND r.valid_to
          ${first}
          AND o.time_period BETWEEN g.period_from AND g.period_to
          AND o.denominator < g.small_cohort_threshold
          AND (p_urns IS NULL OR o.urn = ANY (p_urns))
          AND (p_measures IS NULL OR o.measure = ANY (p_measures))
          AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
          AND (p_breakdowns IS NULL OR o.breakdown = ANY (p_breakdowns))
          AND NOT EXISTS (
            SELECT 1 FROM sharing_reach r2
            JOIN sharing_grants g2 ON g2.tenant_id = r2.tenant_id AND g2.protocol_id = r2.protocol_id
                                  AND g2.grantee_tenant_id = r2.grantee_tenant_id
            WHERE r2.tenant_id = o.tenant_id AND r2.urn = o.urn AND r2.grantee_tenant_id = app_current_tenant()
              AND r2.disclosure = 'named' AND current_date BETWEEN r2.valid_from AND r2.valid_to
              AND g2.measure = o.measure AND o.time_period BETWEEN g2.period_from AND g2.period_to
              AND o.denominator >= g2.small_cohort_threshold)
      $fn$;
    `;
}
