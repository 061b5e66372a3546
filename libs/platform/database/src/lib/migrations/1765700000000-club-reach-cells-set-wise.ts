import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `club_reach_cells` (1764200000000-sharing-disclosure.ts) decided per cell whether the caller can
 * read the same value by name elsewhere with a lateral `SELECT sharing_linkable_cell(…)`: a
 * subquery without FROM calling a STABLE function that reads the public tenant's observations,
 * which Citus refuses inside a distributed query ("cannot push down this subquery: Subqueries
 * without a FROM clause can only contain immutable functions", docs/scaling.md §9.4). The same
 * test is now set-wise: the candidate cells first, then which of them DfE publishes (the public
 * tenant's current observations) and which a named grant serves, each a join with the
 * candidates. Citus runs each CTE as a subplan whose result the next ones join, instead of a
 * function reading another shard from inside each shard's query. The tenants are read once into
 * variables: values, by which Citus can route the public tenant's read (a function call in the
 * query it cannot).
 *
 * Same rows, suppression codes (`c` before `x`) and access-log entries on one node: a DISTINCT ON
 * group is one school (its pseudonym), so deciding linkability after picking the newest dataset's
 * row is the same as before. Same owner, security, volatility, search_path and privileges
 * (CREATE OR REPLACE keeps them). `sharing_linkable_cell` stays for `protocol_cells`, which no
 * code calls.
 */
export class ClubReachCellsSetWise1765700000000 implements MigrationInterface {
  name = 'ClubReachCellsSetWise1765700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(SET_WISE);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(PER_CELL);
  }
}

const SIGNATURE = `
  CREATE OR REPLACE FUNCTION club_reach_cells(p_club_owner uuid, p_club uuid, p_measures text[], p_periods integer[])
  RETURNS TABLE (tenant_id uuid, urn integer, pseudonym varchar, disclosure varchar, protocol_version integer,
                 measure varchar, time_period integer, breakdown varchar, value double precision, suppression varchar)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp`;

const SET_WISE = `${SIGNATURE} AS $fn$
    #variable_conflict use_column
    DECLARE
      v_me uuid := app_current_tenant();
      v_public uuid := app_public_tenant();
    BEGIN
    -- plpgsql, not sql: a set-returning sql function whose CTE writes is run lazily, and its
    -- foreign-key triggers then fire outside any query.
    RETURN QUERY
    WITH club AS (
      SELECT c.tenant_id, c.id, c.protocol_owner_id, c.protocol_id, c.phase FROM clubs c
      WHERE c.tenant_id = p_club_owner AND c.id = p_club AND v_me = ANY (c.parties)
    ), reach AS (
      SELECT r.tenant_id, r.urn, r.pseudonym, count(*) OVER (PARTITION BY r.tenant_id) AS owner_n
      FROM club
      JOIN sharing_reach r ON r.protocol_owner_id = club.protocol_owner_id AND r.protocol_id = club.protocol_id
           AND r.grantee_tenant_id = v_me
      JOIN schools s ON s.tenant_id = r.tenant_id AND s.urn = r.urn
      WHERE r.disclosure = 'pseudonymised' AND current_date BETWEEN r.valid_from AND r.valid_to
        AND (club.phase IS NULL OR lower(coalesce(s.phase, '')) = lower(club.phase))
    ), candidates AS (
      -- The newest current dataset's cell of each school, measure, period and breakdown.
      SELECT DISTINCT ON (o.tenant_id, x.pseudonym, o.measure, o.time_period, o.breakdown)
             o.tenant_id, o.urn AS school, x.pseudonym, g.disclosure, g.protocol_version,
             o.measure, o.time_period, o.breakdown, g.protocol_owner_id, g.protocol_id,
             o.value, o.suppression, o.denominator < g.small_cohort_threshold AS small
      FROM club
      JOIN reach x ON true
      JOIN sharing_grants g ON g.tenant_id = x.tenant_id AND g.grantee_tenant_id = v_me
           AND g.protocol_owner_id = club.protocol_owner_id AND g.protocol_id = club.protocol_id
      JOIN observations o ON o.tenant_id = x.tenant_id AND o.urn = x.urn AND o.measure = g.measure
      JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
      WHERE g.disclosure = 'pseudonymised'
        AND current_date BETWEEN g.valid_from AND g.valid_to
        AND o.time_period BETWEEN g.period_from AND g.period_to
        AND (p_measures IS NULL OR o.measure = ANY (p_measures))
        AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
        AND x.owner_n >= g.min_group_size
      ORDER BY o.tenant_id, x.pseudonym, o.measure, o.time_period, o.breakdown, d.published_at DESC
    ), published AS (
      -- DfE publishes a value of the same school, measure, period and breakdown (any value).
      SELECT DISTINCT c.tenant_id, c.school, c.measure, c.time_period, c.breakdown
      FROM candidates c
      JOIN observations o ON o.tenant_id = v_public AND o.urn = c.school AND o.measure = c.measure
           AND o.time_period = c.time_period AND o.breakdown = c.breakdown
      JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
      WHERE o.value IS NOT NULL
    ), named AS (
      -- A named grant of any protocol serves the caller this school's measure and period.
      SELECT DISTINCT c.tenant_id, c.school, c.measure, c.time_period
      FROM candidates c
      JOIN sharing_reach r ON r.tenant_id = c.tenant_id AND r.urn = c.school
      JOIN sharing_grants g ON g.tenant_id = r.tenant_id AND g.protocol_id = r.protocol_id
           AND g.grantee_tenant_id = r.grantee_tenant_id
      WHERE r.grantee_tenant_id = v_me AND r.disclosure = 'named'
        AND current_date BETWEEN r.valid_from AND r.valid_to
        AND g.measure = c.measure AND c.time_period BETWEEN g.period_from AND g.period_to
    ), cells AS (
      SELECT c.tenant_id, c.school, c.pseudonym, c.disclosure, c.protocol_version, c.measure,
             c.time_period, c.breakdown, c.protocol_owner_id, c.protocol_id,
             CASE WHEN c.small OR p.school IS NOT NULL OR n.school IS NOT NULL THEN NULL
                  ELSE c.value END AS value,
             CASE WHEN c.small THEN 'c'
                  WHEN p.school IS NOT NULL OR n.school IS NOT NULL THEN 'x'
                  ELSE c.suppression END AS suppression
      FROM candidates c
      LEFT JOIN published p ON p.tenant_id = c.tenant_id AND p.school = c.school AND p.measure = c.measure
           AND p.time_period = c.time_period AND p.breakdown = c.breakdown
      LEFT JOIN named n ON n.tenant_id = c.tenant_id AND n.school = c.school AND n.measure = c.measure
           AND n.time_period = c.time_period
    ), logged AS (
      INSERT INTO access_log (tenant_id, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
                              protocol_version, operation, urns, measures, row_count)
      SELECT c.tenant_id, v_me, nullif(current_setting('app.user_id', true), '')::uuid,
             c.protocol_owner_id, c.protocol_id, max(c.protocol_version), 'club.dashboard',
             array_agg(DISTINCT c.school ORDER BY c.school), array_agg(DISTINCT c.measure ORDER BY c.measure),
             count(*)::int
      FROM cells c GROUP BY c.tenant_id, c.protocol_owner_id, c.protocol_id
      RETURNING 1
    )
    SELECT c.tenant_id, NULL::integer, c.pseudonym, c.disclosure, c.protocol_version, c.measure,
           c.time_period, c.breakdown, c.value, c.suppression
    FROM cells c
    ORDER BY c.tenant_id, c.pseudonym, c.measure, c.time_period, c.breakdown;
    END
  $fn$;
`;

/** The body of 1764200000000, for going down. */
const PER_CELL = `${SIGNATURE} AS $fn$
    #variable_conflict use_column
    BEGIN
    RETURN QUERY
    WITH club AS (
      SELECT c.tenant_id, c.id, c.protocol_owner_id, c.protocol_id, c.phase FROM clubs c
      WHERE c.tenant_id = p_club_owner AND c.id = p_club AND app_current_tenant() = ANY (c.parties)
    ), reach AS (
      SELECT r.tenant_id, r.urn, r.pseudonym, count(*) OVER (PARTITION BY r.tenant_id) AS owner_n
      FROM club
      JOIN sharing_reach r ON r.protocol_owner_id = club.protocol_owner_id AND r.protocol_id = club.protocol_id
           AND r.grantee_tenant_id = app_current_tenant()
      JOIN schools s ON s.tenant_id = r.tenant_id AND s.urn = r.urn
      WHERE r.disclosure = 'pseudonymised' AND current_date BETWEEN r.valid_from AND r.valid_to
        AND (club.phase IS NULL OR lower(coalesce(s.phase, '')) = lower(club.phase))
    ), cells AS (
      SELECT DISTINCT ON (o.tenant_id, x.pseudonym, o.measure, o.time_period, o.breakdown)
             o.tenant_id, o.urn AS school, x.pseudonym, g.disclosure, g.protocol_version,
             o.measure, o.time_period, o.breakdown, g.protocol_owner_id, g.protocol_id,
             CASE WHEN o.denominator < g.small_cohort_threshold OR l.linkable THEN NULL ELSE o.value END AS value,
             CASE WHEN o.denominator < g.small_cohort_threshold THEN 'c'
                  WHEN l.linkable THEN 'x' ELSE o.suppression END AS suppression
      FROM club
      JOIN reach x ON true
      JOIN sharing_grants g ON g.tenant_id = x.tenant_id AND g.grantee_tenant_id = app_current_tenant()
           AND g.protocol_owner_id = club.protocol_owner_id AND g.protocol_id = club.protocol_id
      JOIN observations o ON o.tenant_id = x.tenant_id AND o.urn = x.urn AND o.measure = g.measure
      JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
      CROSS JOIN LATERAL (SELECT sharing_linkable_cell(o.tenant_id, o.urn, o.measure, o.time_period, o.breakdown)
                          AS linkable) l
      WHERE g.disclosure = 'pseudonymised'
        AND current_date BETWEEN g.valid_from AND g.valid_to
        AND o.time_period BETWEEN g.period_from AND g.period_to
        AND (p_measures IS NULL OR o.measure = ANY (p_measures))
        AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
        AND x.owner_n >= g.min_group_size
      ORDER BY o.tenant_id, x.pseudonym, o.measure, o.time_period, o.breakdown, d.published_at DESC
    ), logged AS (
      INSERT INTO access_log (tenant_id, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
                              protocol_version, operation, urns, measures, row_count)
      SELECT c.tenant_id, app_current_tenant(), nullif(current_setting('app.user_id', true), '')::uuid,
             c.protocol_owner_id, c.protocol_id, max(c.protocol_version), 'club.dashboard',
             array_agg(DISTINCT c.school ORDER BY c.school), array_agg(DISTINCT c.measure ORDER BY c.measure),
             count(*)::int
      FROM cells c GROUP BY c.tenant_id, c.protocol_owner_id, c.protocol_id
      RETURNING 1
    )
    SELECT c.tenant_id, NULL::integer, c.pseudonym, c.disclosure, c.protocol_version, c.measure,
           c.time_period, c.breakdown, c.value, c.suppression
    FROM cells c
    ORDER BY c.tenant_id, c.pseudonym, c.measure, c.time_period, c.breakdown;
    END
  $fn$;
`;
