import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE, SHARING_ROLE } from '../database-roles';

/**
 * Closes the re-identification paths of pseudonymised and aggregate sharing and the scope gaps of
 * club dashboards (issue 10, findings 2, 3 and 8d; threat model in docs/sharing.md §10):
 *
 * - A pseudonymised cell whose value the caller can read elsewhere by name (DfE's published
 *   reference data, or a named grant) is withheld (`x`): joining on exact values links nothing.
 * - A pseudonymised club shows the protocol's whole reach of the club's phase, not its members
 *   (`club_reach_cells`), so adding or removing a member changes nothing on the dashboard; an
 *   authority's rows appear only when at least k of its schools are in that reach.
 * - Statistics under pseudonymised and aggregate grants are computed only over the protocol's
 *   whole partner reach of one phase, and shown only from 10 schools with a value (or the
 *   protocol's k if larger): `protocol_reach_statistics`. `protocol_statistics` over chosen
 *   schools serves named grants only, and the caller's own schools only within the protocol's
 *   scope (its reach, measures and periods).
 * - Both reach functions write the owner's access log themselves, since only the database knows
 *   which schools fed them; the reader may no longer select log entries (they name the schools
 *   behind pseudonymised reads): the log is the owner's.
 * - Settling a protocol marks stale only the runs that could have read under the grants it
 *   loses: runs that read the owner's data and were not finished before that version came into
 *   force.
 */
export class SharingDisclosure1764200000000 implements MigrationInterface {
  name = 'SharingDisclosure1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`GRANT CREATE ON SCHEMA public TO ${SHARING_ROLE}`);
    await db.query(`
      -- Can the caller read this value of a school by name somewhere else? Then serving it under
      -- a pseudonym would let an exact-value join link the pseudonym to the school.
      CREATE FUNCTION sharing_linkable_cell(p_tenant uuid, p_urn integer, p_measure text, p_period integer, p_breakdown text)
      RETURNS boolean LANGUAGE sql STABLE SET search_path = public, pg_temp AS $fn$
        SELECT EXISTS (
                 SELECT 1 FROM observations o
                 JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
                 WHERE o.tenant_id = app_public_tenant() AND o.urn = p_urn AND o.measure = p_measure
                   AND o.time_period = p_period AND o.breakdown = p_breakdown AND o.value IS NOT NULL)
            OR EXISTS (
                 SELECT 1 FROM sharing_reach r
                 JOIN sharing_grants g ON g.tenant_id = r.tenant_id AND g.protocol_id = r.protocol_id
                                      AND g.grantee_tenant_id = r.grantee_tenant_id
                 WHERE r.tenant_id = p_tenant AND r.urn = p_urn AND r.grantee_tenant_id = app_current_tenant()
                   AND r.disclosure = 'named' AND current_date BETWEEN r.valid_from AND r.valid_to
                   AND g.measure = p_measure AND p_period BETWEEN g.period_from AND g.period_to)
      $fn$;

      CREATE OR REPLACE FUNCTION protocol_cells(p_owner uuid, p_protocol uuid, p_urns integer[], p_measures text[], p_periods integer[])
      RETURNS TABLE (tenant_id uuid, urn integer, pseudonym varchar, disclosure varchar, protocol_version integer,
                     measure varchar, time_period integer, breakdown varchar, value double precision, suppression varchar)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        WITH reach AS (
          SELECT r.tenant_id, r.urn, r.pseudonym, count(*) OVER (PARTITION BY r.tenant_id) AS owner_n
          FROM sharing_reach r
          WHERE r.grantee_tenant_id = app_current_tenant() AND r.protocol_owner_id = p_owner
            AND r.protocol_id = p_protocol AND current_date BETWEEN r.valid_from AND r.valid_to
        )
        SELECT DISTINCT ON (o.tenant_id, x.pseudonym, o.measure, o.time_period, o.breakdown)
               o.tenant_id,
               CASE WHEN g.disclosure = 'named' THEN o.urn END,
               x.pseudonym, g.disclosure, g.protocol_version, o.measure, o.time_period, o.breakdown,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN NULL
                    WHEN g.disclosure = 'pseudonymised' AND l.linkable THEN NULL ELSE o.value END,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN 'c'
                    WHEN g.disclosure = 'pseudonymised' AND l.linkable THEN 'x' ELSE o.suppression END
        FROM sharing_grants g
        JOIN reach x ON x.tenant_id = g.tenant_id
        JOIN observations o ON o.tenant_id = x.tenant_id AND o.urn = x.urn AND o.measure = g.measure
        JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
        CROSS JOIN LATERAL (SELECT g.disclosure = 'pseudonymised'
               AND sharing_linkable_cell(o.tenant_id, o.urn, o.measure, o.time_period, o.breakdown) AS linkable) l
        WHERE g.grantee_tenant_id = app_current_tenant()
          AND g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol
          AND g.disclosure IN ('named', 'pseudonymised')
          AND current_date BETWEEN g.valid_from AND g.valid_to
          AND o.time_period BETWEEN g.period_from AND g.period_to
          AND (p_measures IS NULL OR o.measure = ANY (p_measures))
          AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
          AND (p_urns IS NULL OR g.disclosure <> 'named' OR o.urn = ANY (p_urns))
          -- An authority with fewer than k schools in reach would be identified by its LA code.
          AND (g.disclosure = 'named' OR x.owner_n >= g.min_group_size)
        ORDER BY o.tenant_id, x.pseudonym, o.measure, o.time_period, o.breakdown, d.published_at DESC
      $fn$;

      -- Named clubs only now: their members' cells (pseudonymised clubs read club_reach_cells).
      CREATE OR REPLACE FUNCTION club_cells(p_club_owner uuid, p_club uuid, p_measures text[], p_periods integer[])
      RETURNS TABLE (tenant_id uuid, urn integer, pseudonym varchar, disclosure varchar, protocol_version integer,
                     measure varchar, time_period integer, breakdown varchar, value double precision, suppression varchar)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        WITH club AS (
          SELECT c.tenant_id, c.id, c.protocol_owner_id, c.protocol_id FROM clubs c
          WHERE c.tenant_id = p_club_owner AND c.id = p_club AND app_current_tenant() = ANY (c.parties)
        ), members AS (
          SELECT mb.member_tenant_id, mb.urn, r.pseudonym
          FROM club JOIN club_members mb ON mb.tenant_id = club.tenant_id AND mb.club_id = club.id
          JOIN sharing_reach r ON r.tenant_id = mb.member_tenant_id AND r.urn = mb.urn
               AND r.grantee_tenant_id = app_current_tenant()
               AND r.protocol_owner_id = club.protocol_owner_id AND r.protocol_id = club.protocol_id
          WHERE mb.member_tenant_id <> app_current_tenant() AND r.disclosure = 'named'
            AND current_date BETWEEN r.valid_from AND r.valid_to
        )
        SELECT DISTINCT ON (o.tenant_id, mb.urn, o.measure, o.time_period, o.breakdown)
               o.tenant_id, o.urn, mb.pseudonym, g.disclosure, g.protocol_version, o.measure, o.time_period, o.breakdown,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN NULL ELSE o.value END,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN 'c' ELSE o.suppression END
        FROM club
        JOIN members mb ON true
        JOIN sharing_grants g ON g.tenant_id = mb.member_tenant_id AND g.grantee_tenant_id = app_current_tenant()
             AND g.protocol_owner_id = club.protocol_owner_id AND g.protocol_id = club.protocol_id
        JOIN observations o ON o.tenant_id = mb.member_tenant_id AND o.urn = mb.urn AND o.measure = g.measure
        JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
        WHERE g.disclosure = 'named'
          AND current_date BETWEEN g.valid_from AND g.valid_to
          AND o.time_period BETWEEN g.period_from AND g.period_to
          AND (p_measures IS NULL OR o.measure = ANY (p_measures))
          AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
        ORDER BY o.tenant_id, mb.urn, o.measure, o.time_period, o.breakdown, d.published_at DESC
      $fn$;

      -- A pseudonymised club's partner cells: every partner school of the club's phase in the
      -- caller's reach under the club's protocol, whoever the members are, so membership changes
      -- show nothing. Writes one access-log entry per owner (the app never learns the URNs).
      CREATE FUNCTION club_reach_cells(p_club_owner uuid, p_club uuid, p_measures text[], p_periods integer[])
      RETURNS TABLE (tenant_id uuid, urn integer, pseudonym varchar, disclosure varchar, protocol_version integer,
                     measure varchar, time_period integer, breakdown varchar, value double precision, suppression varchar)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        #variable_conflict use_column
        BEGIN
        -- plpgsql, not sql: a set-returning sql function whose CTE writes is run lazily, and its
        -- foreign-key triggers then fire outside any query.
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

      -- Statistics over caller-chosen schools: named grants only (their values are served by name
      -- anyway). The caller's own schools count only within the protocol's scope: in its reach
      -- (phase, not opted out) and for its measures and periods.
      CREATE OR REPLACE FUNCTION protocol_statistics(p_owner uuid, p_protocol uuid, p_urns integer[], p_measures text[], p_periods integer[])
      RETURNS TABLE (measure varchar, time_period integer, n integer, partner_n integer, withheld integer,
                     q1 double precision, median double precision, q3 double precision, min_group_size integer)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        WITH k AS (
          SELECT max(g.min_group_size) AS k FROM sharing_grants g
          WHERE g.grantee_tenant_id = app_current_tenant() AND g.protocol_owner_id = p_owner
            AND g.protocol_id = p_protocol AND g.disclosure = 'named'
            AND current_date BETWEEN g.valid_from AND g.valid_to
        ), cells AS (
          SELECT DISTINCT ON (o.tenant_id, o.urn, o.measure, o.time_period)
                 o.tenant_id, o.urn, o.measure, o.time_period,
                 CASE WHEN o.tenant_id <> app_current_tenant() AND o.denominator < g.small_cohort_threshold
                      THEN NULL ELSE o.value END AS value
          FROM observations o
          JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
          -- A partner's cell through the caller's grant; an own cell through the grants it gives.
          JOIN sharing_grants g ON g.tenant_id = o.tenant_id AND g.measure = o.measure
               AND g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol AND g.disclosure = 'named'
               AND (g.grantee_tenant_id = app_current_tenant() OR o.tenant_id = app_current_tenant())
               AND current_date BETWEEN g.valid_from AND g.valid_to
               AND o.time_period BETWEEN g.period_from AND g.period_to
          WHERE o.urn = ANY (p_urns) AND o.measure = ANY (p_measures) AND o.time_period = ANY (p_periods)
            AND o.breakdown = 'all'
            AND EXISTS (SELECT 1 FROM sharing_reach r WHERE r.tenant_id = o.tenant_id AND r.urn = o.urn
                          AND r.protocol_owner_id = p_owner AND r.protocol_id = p_protocol
                          AND current_date BETWEEN r.valid_from AND r.valid_to
                          AND (r.grantee_tenant_id = app_current_tenant() OR o.tenant_id = app_current_tenant()))
          ORDER BY o.tenant_id, o.urn, o.measure, o.time_period, d.published_at DESC
        ), stats AS (
          SELECT c.measure, c.time_period, count(c.value)::int AS n,
                 count(c.value) FILTER (WHERE c.tenant_id <> app_current_tenant())::int AS partner_n,
                 (count(*) - count(c.value))::int AS withheld,
                 percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY c.value) AS q
          FROM cells c GROUP BY c.measure, c.time_period
        )
        SELECT s.measure, s.time_period, s.n, s.partner_n, s.withheld,
               CASE WHEN s.partner_n >= k.k THEN s.q[1] END,
               CASE WHEN s.partner_n >= k.k THEN s.q[2] END,
               CASE WHEN s.partner_n >= k.k THEN s.q[3] END,
               k.k
        FROM stats s CROSS JOIN k
        WHERE k.k IS NOT NULL
      $fn$;

      -- Statistics the requester cannot aim: over every partner school of one phase in its reach
      -- under the protocol (never its own schools, whose values it could change to move the
      -- quartiles), quartiles only from greatest(k, 10) schools with a value. Logs the schools
      -- that fed them in their owners' access logs.
      CREATE FUNCTION protocol_reach_statistics(p_owner uuid, p_protocol uuid, p_phase text, p_measures text[],
                                                p_periods integer[], p_operation text)
      RETURNS TABLE (measure varchar, time_period integer, n integer, partner_n integer, withheld integer,
                     q1 double precision, median double precision, q3 double precision, min_group_size integer)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        #variable_conflict use_column
        BEGIN
        -- plpgsql, not sql: a set-returning sql function whose CTE writes is run lazily, and its
        -- foreign-key triggers then fire outside any query.
        RETURN QUERY
        WITH grants AS (
          SELECT max(g.min_group_size) AS k FROM sharing_grants g
          WHERE g.grantee_tenant_id = app_current_tenant() AND g.protocol_owner_id = p_owner
            AND g.protocol_id = p_protocol AND current_date BETWEEN g.valid_from AND g.valid_to
        ), k AS (
          SELECT greatest(grants.k, 10) AS k FROM grants WHERE grants.k IS NOT NULL
        ), reach AS (
          SELECT DISTINCT r.tenant_id, r.urn FROM sharing_reach r
          JOIN schools s ON s.tenant_id = r.tenant_id AND s.urn = r.urn
          WHERE r.grantee_tenant_id = app_current_tenant() AND r.protocol_owner_id = p_owner
            AND r.protocol_id = p_protocol AND current_date BETWEEN r.valid_from AND r.valid_to
            AND p_phase IS NOT NULL AND lower(coalesce(s.phase, '')) = lower(p_phase)
        ), cells AS (
          SELECT DISTINCT ON (o.tenant_id, o.urn, o.measure, o.time_period)
                 o.tenant_id, o.urn, o.measure, o.time_period, g.protocol_version,
                 CASE WHEN o.denominator < g.small_cohort_threshold THEN NULL ELSE o.value END AS value
          FROM reach x
          JOIN sharing_grants g ON g.tenant_id = x.tenant_id AND g.grantee_tenant_id = app_current_tenant()
               AND g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol
               AND current_date BETWEEN g.valid_from AND g.valid_to
          JOIN observations o ON o.tenant_id = x.tenant_id AND o.urn = x.urn AND o.measure = g.measure
               AND o.time_period BETWEEN g.period_from AND g.period_to
          JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
          WHERE o.measure = ANY (p_measures) AND o.time_period = ANY (p_periods) AND o.breakdown = 'all'
          ORDER BY o.tenant_id, o.urn, o.measure, o.time_period, d.published_at DESC
        ), stats AS (
          SELECT c.measure, c.time_period, count(c.value)::int AS n,
                 (count(*) - count(c.value))::int AS withheld,
                 percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY c.value) AS q
          FROM cells c GROUP BY c.measure, c.time_period
        ), logged AS (
          INSERT INTO access_log (tenant_id, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
                                  protocol_version, operation, urns, measures, row_count)
          SELECT c.tenant_id, app_current_tenant(), nullif(current_setting('app.user_id', true), '')::uuid,
                 p_owner, p_protocol, max(c.protocol_version), left(coalesce(p_operation, 'protocol.statistics'), 120),
                 array_agg(DISTINCT c.urn ORDER BY c.urn), array_agg(DISTINCT c.measure ORDER BY c.measure),
                 count(*)::int
          FROM cells c WHERE c.value IS NOT NULL GROUP BY c.tenant_id
          RETURNING 1
        )
        SELECT s.measure, s.time_period, s.n, s.n, s.withheld,
               CASE WHEN s.n >= k.k THEN s.q[1] END,
               CASE WHEN s.n >= k.k THEN s.q[2] END,
               CASE WHEN s.n >= k.k THEN s.q[3] END,
               k.k
        FROM stats s CROSS JOIN k;
        END
      $fn$;

      -- The log is the owner's: a reader's entries name the schools behind its pseudonymised and
      -- aggregate reads, so the reader may write them but not read them back.
      DROP POLICY owner_or_reader_read ON access_log;
      CREATE POLICY owner_read ON access_log FOR SELECT USING (tenant_id = app_current_tenant());
    `);

    await db.query(SETTLE_PROTOCOL);

    for (const fn of [
      'sharing_linkable_cell(uuid, integer, text, integer, text)',
      'club_reach_cells(uuid, uuid, text[], integer[])',
      'protocol_reach_statistics(uuid, uuid, text, text[], integer[], text)',
    ]) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO ${SHARING_ROLE}`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    }
    await db.query(`
      GRANT EXECUTE ON FUNCTION club_reach_cells(uuid, uuid, text[], integer[]) TO ${APP_ROLE};
      GRANT EXECUTE ON FUNCTION protocol_reach_statistics(uuid, uuid, text, text[], integer[], text) TO ${APP_ROLE};
      GRANT INSERT ON access_log TO ${SHARING_ROLE};
      GRANT SELECT ON protocol_events TO ${SHARING_ROLE};
    `);
    await db.query(`REVOKE CREATE ON SCHEMA public FROM ${SHARING_ROLE}`);
  }

  // Going down would mean restoring the replaced bodies of Sharing1763850000000's functions, and
  // with them the re-identification paths this migration closes: restore a backup instead.
  down(): Promise<void> {
    return Promise.reject(
      new Error(
        'SharingDisclosure1764200000000 cannot be undone: it closes disclosure leaks (docs/sharing.md §10); restore a backup instead',
      ),
    );
  }
}

/**
 * `sharing_settle_protocol` as in 1763850000000-sharing.ts, except which runs go stale: only those
 * that read the owner's data and were not finished before the lost version came into force (a
 * run finished earlier read nothing under it, whatever other protocols it read under).
 */
const SETTLE_PROTOCOL = `
  CREATE OR REPLACE FUNCTION sharing_settle_protocol(p_owner uuid, p_protocol uuid, p_actor_tenant uuid, p_actor_user uuid)
  RETURNS varchar LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  DECLARE
    p protocols%ROWTYPE;
    cur protocol_versions%ROWTYPE;
    inforce protocol_versions%ROWTYPE;
    signed integer;
    in_force_since timestamptz;
  BEGIN
    SELECT * INTO p FROM protocols WHERE tenant_id = p_owner AND id = p_protocol FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'protocol % not found', p_protocol USING ERRCODE = 'no_data_found';
    END IF;
    SELECT * INTO cur FROM protocol_versions
      WHERE tenant_id = p_owner AND protocol_id = p_protocol AND version = p.current_version;
    -- When the grants about to be replaced came into force (the caller may already have cleared
    -- version_in_force, so ask the grants); unknown counts as always.
    SELECT coalesce(min(e.at), '-infinity') INTO in_force_since FROM protocol_events e
      WHERE e.tenant_id = p_owner AND e.protocol_id = p_protocol AND e.event = 'activated'
        AND e.version = (SELECT max(g.protocol_version) FROM sharing_grants g
                         WHERE g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol);

    IF p.status = 'active' THEN
      SELECT * INTO inforce FROM protocol_versions
        WHERE tenant_id = p_owner AND protocol_id = p_protocol AND version = p.version_in_force;
      IF inforce.valid_to < current_date THEN
        p.status := 'expired';
        p.version_in_force := NULL;
        INSERT INTO protocol_events (tenant_id, protocol_id, version, event, actor_tenant_id, actor_user_id)
          VALUES (p_owner, p_protocol, inforce.version, 'expired', NULL, NULL);
      END IF;
    END IF;

    IF p.status IN ('proposed', 'active') AND p.current_version IS DISTINCT FROM p.version_in_force THEN
      SELECT count(DISTINCT s.signer_tenant_id) INTO signed FROM protocol_signatures s
        WHERE s.tenant_id = p_owner AND s.protocol_id = p_protocol AND s.version = cur.version
          AND s.signer_tenant_id = ANY (cur.parties);
      IF cur.valid_to < current_date THEN
        IF p.status = 'proposed' THEN
          p.status := 'expired';
          INSERT INTO protocol_events (tenant_id, protocol_id, version, event)
            VALUES (p_owner, p_protocol, cur.version, 'expired');
        END IF;
      ELSIF signed = cardinality(cur.parties) THEN
        p.status := 'active';
        p.version_in_force := cur.version;
        INSERT INTO protocol_events (tenant_id, protocol_id, version, event, actor_tenant_id, actor_user_id)
          VALUES (p_owner, p_protocol, cur.version, 'activated', p_actor_tenant, p_actor_user);
      END IF;
    END IF;

    UPDATE protocols SET status = p.status, version_in_force = p.version_in_force, updated_at = now()
      WHERE tenant_id = p_owner AND id = p_protocol;

    -- Any grantee that loses a measure, a period, a school or its disclosure level: its runs that
    -- read the owner's data while the lost grants were in force are stale.
    UPDATE comparison_runs r SET stale = true
    FROM (
      SELECT g.tenant_id AS owner, g.grantee_tenant_id AS grantee FROM sharing_grants g
      WHERE g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol
        AND NOT EXISTS (SELECT 1 FROM sharing_grant_plan(p_owner, p_protocol) n
                        WHERE n.tenant_id = g.tenant_id AND n.grantee_tenant_id = g.grantee_tenant_id
                          AND n.measure = g.measure AND n.disclosure = g.disclosure
                          AND n.period_from <= g.period_from AND n.period_to >= g.period_to
                          AND n.valid_to >= least(g.valid_to, current_date))
      UNION
      SELECT x.tenant_id, x.grantee_tenant_id FROM sharing_reach x
      WHERE x.protocol_owner_id = p_owner AND x.protocol_id = p_protocol
        AND NOT EXISTS (SELECT 1 FROM sharing_reach_plan(p_owner, p_protocol) n
                        WHERE n.tenant_id = x.tenant_id AND n.grantee_tenant_id = x.grantee_tenant_id
                          AND n.urn = x.urn AND n.disclosure = x.disclosure)
    ) lost
    WHERE r.tenant_id = lost.grantee AND NOT r.stale
      AND r.dataset_versions @> jsonb_build_array(jsonb_build_object('tenantId', lost.owner))
      AND coalesce(r.finished_at, 'infinity') >= in_force_since;

    DELETE FROM sharing_grants WHERE protocol_owner_id = p_owner AND protocol_id = p_protocol;
    DELETE FROM sharing_reach WHERE protocol_owner_id = p_owner AND protocol_id = p_protocol;
    INSERT INTO sharing_grants SELECT * FROM sharing_grant_plan(p_owner, p_protocol);
    INSERT INTO sharing_reach SELECT * FROM sharing_reach_plan(p_owner, p_protocol);
    RETURN p.status;
  END $fn$;
`;
