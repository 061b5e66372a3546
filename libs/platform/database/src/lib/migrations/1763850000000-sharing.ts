import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE, SHARING_ROLE } from '../database-roles';
import { enableTenantIsolation } from './1763820000000-foundation';

/**
 * Data-sharing protocols (SPEC §6), the grants they compile into, the append-only access log and
 * clubs (SPEC §7). See docs/sharing.md.
 *
 * Who writes what:
 * - The protocol's owner writes its protocol, versions and events under its own RLS context.
 * - Everything that crosses tenants (a party signing, compiling grants, marking other tenants'
 *   comparison runs stale, pseudonymised and aggregate reads) happens inside security-definer
 *   functions owned by the sharing role. They derive every change from the protocol data and
 *   check the caller's tenant themselves, so calling one can never do more than the data allows.
 * - Row-level security on observations, schools and comparison groups admits a partner's rows only
 *   through a grant row that is valid today: revocation and expiry act on the next query. Partners'
 *   dataset rows stay private; `shared_current_datasets()` names their current versions.
 */
export class Sharing1763850000000 implements MigrationInterface {
  name = 'Sharing1763850000000';

  async up(db: QueryRunner): Promise<void> {
    const [role] = (await db.query(
      `select exists (select 1 from pg_roles where rolname = '${SHARING_ROLE}') as exists`,
    )) as { exists: boolean }[];
    if (!role?.exists) {
      throw new Error(
        `The database role ${SHARING_ROLE} is missing: run "npm run cli -- db:provision" (it creates the roles) before migrating`,
      );
    }

    await db.query(`
      CREATE TABLE protocols (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        status varchar(16) NOT NULL
          CHECK (status IN ('draft', 'proposed', 'active', 'suspended', 'revoked', 'expired')),
        current_version integer NOT NULL DEFAULT 1 CHECK (current_version > 0),
        -- The version whose grants are compiled; set only while active.
        version_in_force integer,
        -- Every tenant that is or was a party to any version: who may read the protocol.
        parties uuid[] NOT NULL,
        -- Keys the per-protocol pseudonyms; the app role has no privilege on this column.
        pseudonym_key bytea NOT NULL DEFAULT (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        CHECK ((status = 'active') = (version_in_force IS NOT NULL))
      );

      CREATE TABLE protocol_versions (
        tenant_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        title varchar(200) NOT NULL,
        purpose text NOT NULL,
        parties uuid[] NOT NULL,
        scope_categories text[] NOT NULL DEFAULT '{}',
        scope_measures text[] NOT NULL DEFAULT '{}',
        -- The measure codes the scope resolves to (from the catalogue of the day it was written).
        measures text[] NOT NULL CHECK (cardinality(measures) > 0),
        period_from integer NOT NULL,
        period_to integer NOT NULL,
        phases text[] NOT NULL DEFAULT '{}',
        disclosure varchar(16) NOT NULL CHECK (disclosure IN ('named', 'pseudonymised', 'aggregate')),
        min_group_size integer NOT NULL DEFAULT 3 CHECK (min_group_size >= 3),
        small_cohort_threshold integer NOT NULL DEFAULT 0 CHECK (small_cohort_threshold >= 0),
        valid_from date NOT NULL,
        valid_to date NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, protocol_id, version),
        FOREIGN KEY (tenant_id, protocol_id) REFERENCES protocols (tenant_id, id),
        CHECK (period_from <= period_to),
        CHECK (valid_from <= valid_to),
        CHECK (tenant_id = ANY (parties))
      );

      CREATE TABLE protocol_signatures (
        tenant_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        version integer NOT NULL,
        signer_tenant_id uuid NOT NULL REFERENCES tenants (id),
        signer_user_id uuid NOT NULL,
        signed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, protocol_id, version, signer_tenant_id),
        FOREIGN KEY (tenant_id, protocol_id, version) REFERENCES protocol_versions (tenant_id, protocol_id, version)
      );

      -- The protocol's history: every lifecycle step, who took it and when. Append only.
      CREATE TABLE protocol_events (
        tenant_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        version integer NOT NULL,
        event varchar(24) NOT NULL,
        actor_tenant_id uuid,
        actor_user_id uuid,
        detail jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, protocol_id, id),
        FOREIGN KEY (tenant_id, protocol_id) REFERENCES protocols (tenant_id, id)
      );

      -- A school withdrawn from one protocol, by its headteacher or its authority.
      CREATE TABLE protocol_opt_outs (
        tenant_id uuid NOT NULL,
        protocol_owner_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        urn integer NOT NULL,
        opted_out_by uuid,
        opted_out_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, protocol_owner_id, protocol_id, urn),
        FOREIGN KEY (tenant_id, urn) REFERENCES schools (tenant_id, urn)
      );

      -- Compiled from the version in force: the grantee may read the owner's (tenant_id) measure.
      CREATE TABLE sharing_grants (
        tenant_id uuid NOT NULL,
        grantee_tenant_id uuid NOT NULL,
        protocol_owner_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        protocol_version integer NOT NULL,
        measure varchar(80) NOT NULL,
        period_from integer NOT NULL,
        period_to integer NOT NULL,
        disclosure varchar(16) NOT NULL,
        min_group_size integer NOT NULL,
        small_cohort_threshold integer NOT NULL,
        valid_from date NOT NULL,
        valid_to date NOT NULL,
        PRIMARY KEY (tenant_id, protocol_id, grantee_tenant_id, measure)
      );
      CREATE INDEX sharing_grants_by_grantee ON sharing_grants (grantee_tenant_id, tenant_id, measure);

      -- Compiled too: the owner's schools the grantee may read under the protocol (phase in
      -- scope, not opted out), with their stable per-protocol pseudonym.
      CREATE TABLE sharing_reach (
        tenant_id uuid NOT NULL,
        grantee_tenant_id uuid NOT NULL,
        protocol_owner_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        urn integer NOT NULL,
        disclosure varchar(16) NOT NULL,
        valid_from date NOT NULL,
        valid_to date NOT NULL,
        pseudonym varchar(16) NOT NULL,
        PRIMARY KEY (tenant_id, urn, grantee_tenant_id, protocol_id)
      );
      CREATE INDEX sharing_reach_by_protocol ON sharing_reach (protocol_id, grantee_tenant_id);

      -- Who read whose data under which protocol. The owner (tenant_id) queries it; the reader
      -- writes it. The app role may insert and select, never update or delete.
      CREATE TABLE access_log (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        at timestamptz NOT NULL DEFAULT now(),
        reader_tenant_id uuid NOT NULL REFERENCES tenants (id),
        reader_user_id uuid,
        protocol_owner_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        protocol_version integer NOT NULL,
        operation varchar(120) NOT NULL,
        urns integer[] NOT NULL,
        measures text[] NOT NULL,
        row_count integer NOT NULL CHECK (row_count >= 0),
        PRIMARY KEY (tenant_id, id)
      );
      CREATE INDEX access_log_recent ON access_log (tenant_id, at DESC, id DESC);
      CREATE INDEX access_log_by_reader ON access_log (reader_tenant_id, at DESC);

      CREATE TABLE clubs (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        name varchar(200) NOT NULL,
        protocol_owner_id uuid NOT NULL,
        protocol_id uuid NOT NULL,
        phase varchar(40),
        -- The protocol's parties when the club was made: who may see the club.
        parties uuid[] NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, name)
      );

      CREATE TABLE club_members (
        tenant_id uuid NOT NULL,
        club_id uuid NOT NULL,
        member_tenant_id uuid NOT NULL REFERENCES tenants (id),
        urn integer NOT NULL,
        parties uuid[] NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, club_id, urn),
        FOREIGN KEY (tenant_id, club_id) REFERENCES clubs (tenant_id, id) ON DELETE CASCADE,
        -- A member school belongs to a party of the club's protocol.
        CHECK (member_tenant_id = ANY (parties))
      );
    `);

    // Own-tenant isolation first, then what parties may see of each other's protocol records.
    for (const table of [
      'protocols',
      'protocol_versions',
      'protocol_signatures',
      'protocol_events',
      'protocol_opt_outs',
      'clubs',
      'club_members',
    ]) {
      await enableTenantIsolation(db, table);
    }
    await db.query(`
      CREATE POLICY party_read ON protocols FOR SELECT USING (app_current_tenant() = ANY (parties));
      CREATE POLICY party_read ON protocol_versions FOR SELECT USING (app_current_tenant() = ANY (parties));
      CREATE POLICY party_read ON protocol_signatures FOR SELECT USING (
        EXISTS (SELECT 1 FROM protocols p WHERE p.tenant_id = protocol_signatures.tenant_id
                AND p.id = protocol_signatures.protocol_id AND app_current_tenant() = ANY (p.parties)));
      CREATE POLICY party_read ON protocol_events FOR SELECT USING (
        EXISTS (SELECT 1 FROM protocols p WHERE p.tenant_id = protocol_events.tenant_id
                AND p.id = protocol_events.protocol_id AND app_current_tenant() = ANY (p.parties)));
      CREATE POLICY protocol_owner_read ON protocol_opt_outs FOR SELECT
        USING (protocol_owner_id = app_current_tenant());
      -- A school may opt out only of a protocol its authority is party to.
      CREATE POLICY party_only ON protocol_opt_outs AS RESTRICTIVE FOR INSERT WITH CHECK (
        EXISTS (SELECT 1 FROM protocols p WHERE p.tenant_id = protocol_opt_outs.protocol_owner_id
                AND p.id = protocol_opt_outs.protocol_id AND app_current_tenant() = ANY (p.parties)));
      CREATE POLICY party_read ON clubs FOR SELECT USING (app_current_tenant() = ANY (parties));
      CREATE POLICY party_read ON club_members FOR SELECT USING (app_current_tenant() = ANY (parties));
      -- Members leave by themselves: an authority may remove its own schools from any club.
      CREATE POLICY member_leaves ON club_members FOR DELETE USING (member_tenant_id = app_current_tenant());

      ALTER TABLE sharing_grants ENABLE ROW LEVEL SECURITY;
      ALTER TABLE sharing_grants FORCE ROW LEVEL SECURITY;
      CREATE POLICY grantee_or_owner_read ON sharing_grants FOR SELECT
        USING (grantee_tenant_id = app_current_tenant() OR tenant_id = app_current_tenant());

      -- A grantee sees the reach of named grants only: for pseudonymised and aggregate ones, which
      -- schools take part is itself withheld.
      ALTER TABLE sharing_reach ENABLE ROW LEVEL SECURITY;
      ALTER TABLE sharing_reach FORCE ROW LEVEL SECURITY;
      CREATE POLICY grantee_or_owner_read ON sharing_reach FOR SELECT
        USING (tenant_id = app_current_tenant()
               OR (grantee_tenant_id = app_current_tenant() AND disclosure = 'named'));

      ALTER TABLE access_log ENABLE ROW LEVEL SECURITY;
      ALTER TABLE access_log FORCE ROW LEVEL SECURITY;
      CREATE POLICY owner_or_reader_read ON access_log FOR SELECT
        USING (tenant_id = app_current_tenant() OR reader_tenant_id = app_current_tenant());
      -- A reader writes entries of its own reads only, into the log of an owner that grants it.
      CREATE POLICY reader_writes ON access_log FOR INSERT WITH CHECK (
        reader_tenant_id = app_current_tenant()
        AND EXISTS (SELECT 1 FROM sharing_grants g WHERE g.tenant_id = access_log.tenant_id
                    AND g.grantee_tenant_id = app_current_tenant()
                    AND g.protocol_id = access_log.protocol_id));
    `);

    // Partners' rows, admitted by a named grant valid today. PostgreSQL may OR permissive policies
    // in any order, so each grant policy first rules out own and reference rows itself, against
    // values computed once per query (the scalar subqueries become init plans): those rows never
    // pay for the grant lookup.
    await db.query(`
      CREATE FUNCTION app_named_reach(p_owner uuid, p_urn integer) RETURNS boolean
      LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
        SELECT EXISTS (SELECT 1 FROM sharing_reach r
                       WHERE r.tenant_id = p_owner AND r.urn = p_urn
                         AND r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
                         AND current_date BETWEEN r.valid_from AND r.valid_to)
      $fn$;

      CREATE POLICY via_protocol_grant ON schools FOR SELECT USING (
        tenant_id <> (SELECT app_current_tenant()) AND tenant_id IS DISTINCT FROM (SELECT app_public_tenant())
        AND app_named_reach(tenant_id, urn));

      CREATE POLICY via_protocol_grant ON observations FOR SELECT USING (
        tenant_id <> (SELECT app_current_tenant()) AND tenant_id IS DISTINCT FROM (SELECT app_public_tenant())
        AND EXISTS (SELECT 1 FROM sharing_reach r
                JOIN sharing_grants g ON g.tenant_id = r.tenant_id AND g.protocol_id = r.protocol_id
                                     AND g.grantee_tenant_id = r.grantee_tenant_id
                WHERE r.tenant_id = observations.tenant_id AND r.urn = observations.urn
                  AND r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
                  AND current_date BETWEEN r.valid_from AND r.valid_to
                  AND g.measure = observations.measure
                  AND observations.time_period BETWEEN g.period_from AND g.period_to
                  -- Small cohorts never leave the owner as values (protocol paths serve them as c).
                  AND (observations.denominator IS NULL
                       OR observations.denominator >= g.small_cohort_threshold)));

      -- Comparison groups name their neighbours: a partner's school stays visible only while
      -- the grant that let the run see it lasts.
      CREATE POLICY neighbour_still_shared ON comparison_groups AS RESTRICTIVE FOR SELECT USING (
        neighbour_tenant_id = tenant_id OR neighbour_tenant_id = (SELECT app_public_tenant())
        OR app_named_reach(neighbour_tenant_id, neighbour_urn));
      -- A run that read a partner's data which no named grant from that partner admits today is
      -- stale in effect, from the date itself, before any job has marked it.
      CREATE FUNCTION app_run_lost_grant(p_tenant uuid, p_versions jsonb) RETURNS boolean
      LANGUAGE sql STABLE AS $fn$
        SELECT EXISTS (
          SELECT 1 FROM jsonb_array_elements(p_versions) AS dv(v)
          WHERE (dv.v->>'tenantId')::uuid <> p_tenant
            AND (dv.v->>'tenantId')::uuid IS DISTINCT FROM app_public_tenant()
            AND NOT EXISTS (SELECT 1 FROM sharing_grants g
                            WHERE g.tenant_id = (dv.v->>'tenantId')::uuid AND g.grantee_tenant_id = p_tenant
                              AND g.disclosure = 'named'
                              AND current_date BETWEEN g.valid_from AND g.valid_to))
      $fn$;

      -- Benchmarks of a stale run (built on a lost grant) are never served. Uncorrelated, so
      -- PostgreSQL hashes the tenant's stale runs once per query.
      CREATE POLICY run_not_stale ON comparison_benchmarks AS RESTRICTIVE FOR SELECT USING (
        run_id NOT IN (SELECT r.id FROM comparison_runs r
                       WHERE r.stale OR app_run_lost_grant(r.tenant_id, r.dataset_versions)));
    `);

    await db.query(`
      CREATE FUNCTION sharing_pseudonym(p_key bytea, p_urn integer) RETURNS varchar
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT 'S-' || upper(substr(encode(sha256(p_key || int4send(p_urn)), 'hex'), 1, 10))
      $fn$;

      -- What the protocol's version in force compiles to: every party shares each measure in
      -- scope with every other party, for the schools of the phases in scope not opted out.
      CREATE FUNCTION sharing_grant_plan(p_owner uuid, p_protocol uuid) RETURNS SETOF sharing_grants
      LANGUAGE sql STABLE AS $fn$
        SELECT o.owner, g.grantee, p.tenant_id, p.id, v.version, m.measure,
               v.period_from, v.period_to, v.disclosure, v.min_group_size,
               v.small_cohort_threshold, v.valid_from, v.valid_to
        FROM protocols p
        JOIN protocol_versions v ON v.tenant_id = p.tenant_id AND v.protocol_id = p.id
                                AND v.version = p.version_in_force
        CROSS JOIN unnest(v.parties) AS o(owner)
        CROSS JOIN unnest(v.parties) AS g(grantee)
        CROSS JOIN unnest(v.measures) AS m(measure)
        WHERE p.tenant_id = p_owner AND p.id = p_protocol AND p.status = 'active'
          AND o.owner <> g.grantee
          -- Whatever a status says, nothing is shared unless every party signed the version.
          AND NOT EXISTS (SELECT 1 FROM unnest(v.parties) AS party(id)
                          WHERE NOT EXISTS (SELECT 1 FROM protocol_signatures s
                                            WHERE s.tenant_id = p.tenant_id AND s.protocol_id = p.id
                                              AND s.version = v.version AND s.signer_tenant_id = party.id))
      $fn$;

      CREATE FUNCTION sharing_reach_plan(p_owner uuid, p_protocol uuid) RETURNS SETOF sharing_reach
      LANGUAGE sql STABLE AS $fn$
        SELECT s.tenant_id, g.grantee, p.tenant_id, p.id, s.urn, v.disclosure,
               v.valid_from, v.valid_to, sharing_pseudonym(p.pseudonym_key, s.urn)
        FROM protocols p
        JOIN protocol_versions v ON v.tenant_id = p.tenant_id AND v.protocol_id = p.id
                                AND v.version = p.version_in_force
        CROSS JOIN unnest(v.parties) AS g(grantee)
        JOIN schools s ON s.tenant_id = ANY (v.parties) AND s.tenant_id <> g.grantee
        WHERE p.tenant_id = p_owner AND p.id = p_protocol AND p.status = 'active'
          -- Whatever a status says, nothing is shared unless every party signed the version.
          AND NOT EXISTS (SELECT 1 FROM unnest(v.parties) AS party(id)
                          WHERE NOT EXISTS (SELECT 1 FROM protocol_signatures s
                                            WHERE s.tenant_id = p.tenant_id AND s.protocol_id = p.id
                                              AND s.version = v.version AND s.signer_tenant_id = party.id))
          AND (cardinality(v.phases) = 0
               OR lower(coalesce(s.phase, '')) IN (SELECT lower(x) FROM unnest(v.phases) x))
          AND NOT EXISTS (SELECT 1 FROM protocol_opt_outs o
                          WHERE o.tenant_id = s.tenant_id AND o.urn = s.urn
                            AND o.protocol_owner_id = p.tenant_id AND o.protocol_id = p.id)
      $fn$;

      -- Rebuilds one protocol's grants and reach from the version in force, after applying the
      -- rules of time (expiry, activation once every party has signed). Marks stale the
      -- comparison runs of every grantee that lost anything. Internal: the app calls the wrappers.
      CREATE FUNCTION sharing_settle_protocol(p_owner uuid, p_protocol uuid, p_actor_tenant uuid, p_actor_user uuid)
      RETURNS varchar LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        p protocols%ROWTYPE;
        cur protocol_versions%ROWTYPE;
        inforce protocol_versions%ROWTYPE;
        signed integer;
      BEGIN
        SELECT * INTO p FROM protocols WHERE tenant_id = p_owner AND id = p_protocol FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'protocol % not found', p_protocol USING ERRCODE = 'no_data_found';
        END IF;
        SELECT * INTO cur FROM protocol_versions
          WHERE tenant_id = p_owner AND protocol_id = p_protocol AND version = p.current_version;

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

        -- Any grantee that loses a measure, a period, a school or its disclosure level: its runs
        -- that read the owner's data are stale.
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
          AND r.dataset_versions @> jsonb_build_array(jsonb_build_object('tenantId', lost.owner));

        DELETE FROM sharing_grants WHERE protocol_owner_id = p_owner AND protocol_id = p_protocol;
        DELETE FROM sharing_reach WHERE protocol_owner_id = p_owner AND protocol_id = p_protocol;
        INSERT INTO sharing_grants SELECT * FROM sharing_grant_plan(p_owner, p_protocol);
        INSERT INTO sharing_reach SELECT * FROM sharing_reach_plan(p_owner, p_protocol);
        RETURN p.status;
      END $fn$;

      -- What the app calls after every lifecycle change it made as the owner (or an opt-out made
      -- by a party): only a party may settle a protocol.
      CREATE FUNCTION protocol_settle(p_owner uuid, p_protocol uuid) RETURNS varchar
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM protocols WHERE tenant_id = p_owner AND id = p_protocol
                       AND app_current_tenant() = ANY (parties)) THEN
          RAISE EXCEPTION 'protocol % is not one your authority is party to', p_protocol
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN sharing_settle_protocol(p_owner, p_protocol, app_current_tenant(),
                                       nullif(current_setting('app.user_id', true), '')::uuid);
      END $fn$;

      -- A party's LA admin signs the current version for their own authority.
      CREATE FUNCTION protocol_sign(p_owner uuid, p_protocol uuid, p_version integer) RETURNS varchar
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        me uuid := app_current_tenant();
        who uuid := nullif(current_setting('app.user_id', true), '')::uuid;
        p protocols%ROWTYPE;
        v protocol_versions%ROWTYPE;
      BEGIN
        SELECT * INTO p FROM protocols WHERE tenant_id = p_owner AND id = p_protocol FOR UPDATE;
        IF NOT FOUND OR NOT (me = ANY (p.parties)) THEN
          RAISE EXCEPTION 'protocol % is not one your authority is party to', p_protocol
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = me AND u.id = who AND u.role = 'la_admin') THEN
          RAISE EXCEPTION 'only an LA admin signs a protocol, for their own authority'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT * INTO v FROM protocol_versions
          WHERE tenant_id = p_owner AND protocol_id = p_protocol AND version = p.current_version;
        IF NOT (me = ANY (v.parties)) THEN
          RAISE EXCEPTION 'your authority is not a party to version % of this protocol', v.version
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_version <> p.current_version THEN
          RAISE EXCEPTION 'version % is not the current version of this protocol (it is %)', p_version, p.current_version
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p.status NOT IN ('proposed', 'active') OR p.version_in_force = p.current_version THEN
          RAISE EXCEPTION 'a % protocol cannot be signed', p.status USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT 1 FROM protocol_signatures s WHERE s.tenant_id = p_owner AND s.protocol_id = p_protocol
                   AND s.version = p_version AND s.signer_tenant_id = me) THEN
          RAISE EXCEPTION 'your authority has already signed version % of this protocol', p_version
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        INSERT INTO protocol_signatures (tenant_id, protocol_id, version, signer_tenant_id, signer_user_id)
          VALUES (p_owner, p_protocol, p_version, me, who);
        INSERT INTO protocol_events (tenant_id, protocol_id, version, event, actor_tenant_id, actor_user_id)
          VALUES (p_owner, p_protocol, p_version, 'signed', me, who);
        RETURN sharing_settle_protocol(p_owner, p_protocol, me, who);
      END $fn$;

      -- Expiry on time, for the scheduled job: settles every protocol whose dates have passed.
      CREATE FUNCTION protocols_expire_due() RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        r record;
        n integer := 0;
      BEGIN
        FOR r IN
          SELECT p.tenant_id, p.id FROM protocols p
          JOIN protocol_versions v ON v.tenant_id = p.tenant_id AND v.protocol_id = p.id
           AND v.version = coalesce(p.version_in_force, p.current_version)
          WHERE p.status IN ('proposed', 'active') AND v.valid_to < current_date
          ORDER BY p.tenant_id, p.id
        LOOP
          IF sharing_settle_protocol(r.tenant_id, r.id, NULL, NULL) = 'expired' THEN n := n + 1; END IF;
        END LOOP;
        RETURN n;
      END $fn$;

      -- Partners' current dataset versions readable under a named grant: what a comparison reads.
      CREATE FUNCTION shared_current_datasets()
      RETURNS TABLE (tenant_id uuid, id uuid, published_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        SELECT d.tenant_id, d.id, d.published_at FROM datasets d
        WHERE d.is_current AND d.status = 'published'
          AND d.tenant_id IN (SELECT g.tenant_id FROM sharing_grants g
                              WHERE g.grantee_tenant_id = app_current_tenant() AND g.disclosure = 'named'
                                AND current_date BETWEEN g.valid_from AND g.valid_to)
      $fn$;

      -- Partners' named cells withheld for a small cohort (and admitted by no other grant): the
      -- keys only, so the API can serve them as c. The values never leave the database.
      CREATE FUNCTION shared_withheld_cells(p_urns integer[], p_measures text[], p_periods integer[], p_breakdowns text[])
      RETURNS TABLE (tenant_id uuid, dataset_id uuid, urn integer, measure varchar, time_period integer,
                     time_identifier varchar, breakdown varchar)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        SELECT DISTINCT o.tenant_id, o.dataset_id, o.urn, o.measure, o.time_period, o.time_identifier, o.breakdown
        FROM sharing_reach r
        JOIN sharing_grants g ON g.tenant_id = r.tenant_id AND g.protocol_id = r.protocol_id
                             AND g.grantee_tenant_id = r.grantee_tenant_id
        JOIN observations o ON o.tenant_id = r.tenant_id AND o.urn = r.urn AND o.measure = g.measure
        JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
        WHERE r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
          AND current_date BETWEEN r.valid_from AND r.valid_to
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

      -- Partners' cells under one protocol, at its disclosure level: named rows carry the URN,
      -- pseudonymised rows only the pseudonym; small cohorts come back as c. Aggregate grants
      -- give no cells (see protocol_statistics). URN filters apply to named grants only, so a
      -- pseudonymised school cannot be found by probing URNs.
      CREATE FUNCTION protocol_cells(p_owner uuid, p_protocol uuid, p_urns integer[], p_measures text[], p_periods integer[])
      RETURNS TABLE (tenant_id uuid, urn integer, pseudonym varchar, disclosure varchar, protocol_version integer,
                     measure varchar, time_period integer, breakdown varchar, value double precision, suppression varchar)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        SELECT DISTINCT ON (o.tenant_id, r.pseudonym, o.measure, o.time_period, o.breakdown)
               o.tenant_id,
               CASE WHEN g.disclosure = 'named' THEN o.urn END,
               r.pseudonym, g.disclosure, g.protocol_version, o.measure, o.time_period, o.breakdown,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN NULL ELSE o.value END,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN 'c' ELSE o.suppression END
        FROM sharing_grants g
        JOIN sharing_reach r ON r.tenant_id = g.tenant_id AND r.protocol_id = g.protocol_id
                            AND r.grantee_tenant_id = g.grantee_tenant_id
        JOIN observations o ON o.tenant_id = r.tenant_id AND o.urn = r.urn AND o.measure = g.measure
        JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
        WHERE g.grantee_tenant_id = app_current_tenant()
          AND g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol
          AND g.disclosure IN ('named', 'pseudonymised')
          AND current_date BETWEEN g.valid_from AND g.valid_to
          AND o.time_period BETWEEN g.period_from AND g.period_to
          AND (p_measures IS NULL OR o.measure = ANY (p_measures))
          AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
          AND (p_urns IS NULL OR g.disclosure <> 'named' OR o.urn = ANY (p_urns))
        ORDER BY o.tenant_id, r.pseudonym, o.measure, o.time_period, o.breakdown, d.published_at DESC
      $fn$;

      -- A club's partner members' cells, at the protocol's level. Unlike protocol_cells it knows
      -- which pseudonyms are members (the club's list is read here, never by the app), and a
      -- pseudonymised club shows partners only when at least k of its members are the caller's
      -- partners, so no school can be singled out by making it a club of one.
      CREATE FUNCTION club_cells(p_club_owner uuid, p_club uuid, p_measures text[], p_periods integer[])
      RETURNS TABLE (tenant_id uuid, urn integer, pseudonym varchar, disclosure varchar, protocol_version integer,
                     measure varchar, time_period integer, breakdown varchar, value double precision, suppression varchar)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        WITH club AS (
          SELECT c.tenant_id, c.id, c.protocol_owner_id, c.protocol_id FROM clubs c
          WHERE c.tenant_id = p_club_owner AND c.id = p_club AND app_current_tenant() = ANY (c.parties)
        ), members AS (
          SELECT mb.member_tenant_id, mb.urn, r.pseudonym, r.disclosure
          FROM club JOIN club_members mb ON mb.tenant_id = club.tenant_id AND mb.club_id = club.id
          JOIN sharing_reach r ON r.tenant_id = mb.member_tenant_id AND r.urn = mb.urn
               AND r.grantee_tenant_id = app_current_tenant()
               AND r.protocol_owner_id = club.protocol_owner_id AND r.protocol_id = club.protocol_id
          WHERE mb.member_tenant_id <> app_current_tenant()
            AND current_date BETWEEN r.valid_from AND r.valid_to
        )
        SELECT DISTINCT ON (o.tenant_id, mb.pseudonym, o.measure, o.time_period, o.breakdown)
               o.tenant_id,
               CASE WHEN g.disclosure = 'named' THEN o.urn END,
               mb.pseudonym, g.disclosure, g.protocol_version, o.measure, o.time_period, o.breakdown,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN NULL ELSE o.value END,
               CASE WHEN o.denominator < g.small_cohort_threshold THEN 'c' ELSE o.suppression END
        FROM club
        JOIN members mb ON true
        JOIN sharing_grants g ON g.tenant_id = mb.member_tenant_id AND g.grantee_tenant_id = app_current_tenant()
             AND g.protocol_owner_id = club.protocol_owner_id AND g.protocol_id = club.protocol_id
        JOIN observations o ON o.tenant_id = mb.member_tenant_id AND o.urn = mb.urn AND o.measure = g.measure
        JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
        WHERE g.disclosure IN ('named', 'pseudonymised')
          AND current_date BETWEEN g.valid_from AND g.valid_to
          AND o.time_period BETWEEN g.period_from AND g.period_to
          AND (p_measures IS NULL OR o.measure = ANY (p_measures))
          AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
          AND (g.disclosure = 'named' OR (SELECT count(*) FROM members) >= g.min_group_size)
        ORDER BY o.tenant_id, mb.pseudonym, o.measure, o.time_period, o.breakdown, d.published_at DESC
      $fn$;

      -- Group statistics (numpy-style linear quartiles) over the given schools: the caller's own
      -- plus partners' under the protocol's grants. Withheld unless the partners' schools alone
      -- number at least the protocol's minimum group size, so no partner value can be worked
      -- back out of a statistic, whatever the caller knows of its own schools.
      CREATE FUNCTION protocol_statistics(p_owner uuid, p_protocol uuid, p_urns integer[], p_measures text[], p_periods integer[])
      RETURNS TABLE (measure varchar, time_period integer, n integer, partner_n integer, withheld integer,
                     q1 double precision, median double precision, q3 double precision, min_group_size integer)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        WITH k AS (
          SELECT max(g.min_group_size) AS k FROM sharing_grants g
          WHERE g.grantee_tenant_id = app_current_tenant() AND g.protocol_owner_id = p_owner
            AND g.protocol_id = p_protocol AND current_date BETWEEN g.valid_from AND g.valid_to
        ), cells AS (
          SELECT DISTINCT ON (o.tenant_id, o.urn, o.measure, o.time_period)
                 o.tenant_id, o.urn, o.measure, o.time_period,
                 CASE WHEN o.tenant_id <> app_current_tenant() AND o.denominator < g.small_cohort_threshold
                      THEN NULL ELSE o.value END AS value
          FROM observations o
          JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
          LEFT JOIN sharing_grants g ON g.tenant_id = o.tenant_id AND g.grantee_tenant_id = app_current_tenant()
               AND g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol AND g.measure = o.measure
               AND current_date BETWEEN g.valid_from AND g.valid_to
               AND o.time_period BETWEEN g.period_from AND g.period_to
          WHERE o.urn = ANY (p_urns) AND o.measure = ANY (p_measures) AND o.time_period = ANY (p_periods)
            AND o.breakdown = 'all'
            AND (o.tenant_id = app_current_tenant()
                 OR (g.tenant_id IS NOT NULL AND EXISTS (
                       SELECT 1 FROM sharing_reach r WHERE r.tenant_id = o.tenant_id AND r.urn = o.urn
                         AND r.grantee_tenant_id = app_current_tenant() AND r.protocol_id = p_protocol
                         AND r.protocol_owner_id = p_owner)))
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
    `);

    const definerFunctions = [
      'sharing_grant_plan(uuid, uuid)',
      'sharing_reach_plan(uuid, uuid)',
      'sharing_settle_protocol(uuid, uuid, uuid, uuid)',
      'protocol_settle(uuid, uuid)',
      'protocol_sign(uuid, uuid, integer)',
      'protocols_expire_due()',
      'shared_current_datasets()',
      'shared_withheld_cells(integer[], text[], integer[], text[])',
      'protocol_cells(uuid, uuid, integer[], text[], integer[])',
      'club_cells(uuid, uuid, text[], integer[])',
      'protocol_statistics(uuid, uuid, integer[], text[], integer[])',
    ];
    await db.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${SHARING_ROLE}`);
    await db.query(`
      GRANT SELECT ON tenants, schools, users, datasets, observations, clubs, club_members TO ${SHARING_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON protocols, protocol_versions, protocol_signatures,
        protocol_events, protocol_opt_outs, sharing_grants, sharing_reach TO ${SHARING_ROLE};
      GRANT SELECT, UPDATE (stale) ON comparison_runs TO ${SHARING_ROLE};
    `);
    for (const fn of definerFunctions) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO ${SHARING_ROLE}`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    }
    for (const fn of definerFunctions.filter((f) => !f.startsWith('sharing_'))) {
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
    // The creating role cannot create objects in the schema any more than it needs to.
    await db.query(`REVOKE CREATE ON SCHEMA public FROM ${SHARING_ROLE}`);

    await db.query(`
      GRANT INSERT ON protocols TO ${APP_ROLE};
      GRANT SELECT (tenant_id, id, status, current_version, version_in_force, parties, created_by, created_at, updated_at)
        ON protocols TO ${APP_ROLE};
      GRANT UPDATE (status, current_version, version_in_force, parties, updated_at) ON protocols TO ${APP_ROLE};
      GRANT SELECT, INSERT ON protocol_versions, protocol_events, access_log TO ${APP_ROLE};
      GRANT SELECT ON protocol_signatures, sharing_grants TO ${APP_ROLE};
      GRANT SELECT (tenant_id, grantee_tenant_id, protocol_owner_id, protocol_id, urn, disclosure, valid_from, valid_to)
        ON sharing_reach TO ${APP_ROLE};
      GRANT SELECT, INSERT ON protocol_opt_outs TO ${APP_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON clubs, club_members TO ${APP_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP POLICY run_not_stale ON comparison_benchmarks;
      DROP POLICY neighbour_still_shared ON comparison_groups;
      DROP POLICY via_protocol_grant ON observations;
      DROP POLICY via_protocol_grant ON schools;
      DROP FUNCTION protocol_statistics(uuid, uuid, integer[], text[], integer[]);
      DROP FUNCTION club_cells(uuid, uuid, text[], integer[]);
      DROP FUNCTION protocol_cells(uuid, uuid, integer[], text[], integer[]);
      DROP FUNCTION shared_withheld_cells(integer[], text[], integer[], text[]);
      DROP FUNCTION shared_current_datasets();
      DROP FUNCTION protocols_expire_due();
      DROP FUNCTION protocol_sign(uuid, uuid, integer);
      DROP FUNCTION protocol_settle(uuid, uuid);
      DROP FUNCTION sharing_settle_protocol(uuid, uuid, uuid, uuid);
      DROP FUNCTION sharing_reach_plan(uuid, uuid);
      DROP FUNCTION sharing_grant_plan(uuid, uuid);
      DROP FUNCTION sharing_pseudonym(bytea, integer);
      DROP FUNCTION app_run_lost_grant(uuid, jsonb);
      DROP FUNCTION app_named_reach(uuid, integer);
      DROP TABLE club_members, clubs, access_log, sharing_reach, sharing_grants, protocol_opt_outs,
        protocol_events, protocol_signatures, protocol_versions, protocols;
    `);
  }
}
