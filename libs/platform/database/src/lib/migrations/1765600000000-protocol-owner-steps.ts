import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE, SHARING_ROLE } from '../database-roles';

/**
 * An owner's lifecycle step (propose, amend, suspend, revoke) is written by the sharing role, in
 * the same definer function that settles the protocol, instead of by the app role before
 * `protocol_settle` (ADR 0090, docs/scaling.md §9.4). On one PostgreSQL the old order was one
 * backend; on Citus every lock of the step must be taken by the same role, because Citus opens
 * its connections per node **and per user**: the app role's `FOR UPDATE` and then the definer's
 * on the same row were two backends of one distributed transaction waiting on each other
 * ("canceling the transaction since it was involved in a distributed deadlock").
 *
 * - `protocol_lock(protocol)`: the owner's lock on its own protocol, taken before the service
 *   checks the lifecycle rules (libs/sharing-core), so concurrent steps still queue on the row.
 * - `protocol_owner_step(protocol, action, status, terms, reason)`: the step's writes (the new
 *   version for an amendment, the row, the event) and the settling, in one call. It refuses what
 *   the owner's LA admin could not do, whatever the caller sends.
 * - `protocol_opt_out(owner, protocol, urn)`: a party's opt-out and the settling, for the same
 *   reason: the settling reads the opt-outs, which Citus refuses to read over the sharing role's
 *   connection once the app role wrote them ("modified in this transaction by a different user").
 *
 * The app role keeps its rights on `protocols`; the service no longer uses the UPDATE ones.
 */
export class ProtocolOwnerSteps1765600000000 implements MigrationInterface {
  name = 'ProtocolOwnerSteps1765600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION protocol_lock(p_protocol uuid)
      RETURNS TABLE (tenant_id uuid, id uuid, status varchar, current_version integer,
                     version_in_force integer, parties uuid[], created_at timestamptz,
                     updated_at timestamptz)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        me uuid := app_current_tenant();
      BEGIN
        RETURN QUERY
          SELECT p.tenant_id, p.id, p.status, p.current_version, p.version_in_force, p.parties,
                 p.created_at, p.updated_at
          FROM protocols p WHERE p.tenant_id = me AND p.id = p_protocol FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'protocol % is not one of your authority''s', p_protocol
            USING ERRCODE = 'insufficient_privilege';
        END IF;
      END $fn$;

      CREATE FUNCTION protocol_owner_step(p_protocol uuid, p_action varchar, p_status varchar,
                                          p_terms jsonb, p_reason text)
      RETURNS varchar
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        me uuid := app_current_tenant();
        who uuid := nullif(current_setting('app.user_id', true), '')::uuid;
        p protocols%ROWTYPE;
        t protocol_versions%ROWTYPE;
        new_version integer;
        new_parties uuid[];
        v_detail jsonb := '{}';
        v_event varchar;
      BEGIN
        SELECT * INTO p FROM protocols WHERE tenant_id = me AND id = p_protocol FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'protocol % is not one of your authority''s', p_protocol
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The nil UUID is the operator acting for an authority (tenant:exit ends a leaver's
        -- protocols as their owners would), trusted as the app role's tenant setting is.
        IF who IS DISTINCT FROM '00000000-0000-0000-0000-000000000000'::uuid
           AND NOT EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = me AND u.id = who AND u.role = 'la_admin') THEN
          RAISE EXCEPTION 'only an LA admin of the owning authority changes a protocol'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p.status IN ('revoked', 'expired') THEN
          RAISE EXCEPTION 'a % protocol cannot be changed', p.status USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_reason IS NOT NULL THEN
          v_detail := jsonb_build_object('reason', p_reason);
        END IF;
        new_version := p.current_version;

        IF p_action = 'propose' AND p.status = 'draft' AND p_status = 'proposed' THEN
          v_event := 'proposed';
          UPDATE protocols SET status = p_status, updated_at = now()
            WHERE tenant_id = me AND id = p_protocol;
        ELSIF p_action = 'amend'
              AND p_status = (CASE WHEN p.status = 'suspended' THEN 'proposed' ELSE p.status END) THEN
          v_event := 'amended';
          new_version := p.current_version + 1;
          -- The terms as the service normalised them, by column name; a value too long for its
          -- column raises here as the INSERT did.
          t := jsonb_populate_record(NULL::protocol_versions, p_terms);
          INSERT INTO protocol_versions (tenant_id, protocol_id, version, title, purpose, parties,
              scope_categories, scope_measures, measures, period_from, period_to, phases, disclosure,
              min_group_size, small_cohort_threshold, valid_from, valid_to, created_by)
            VALUES (me, p_protocol, new_version, t.title, t.purpose, t.parties, t.scope_categories,
              t.scope_measures, t.measures, t.period_from, t.period_to, t.phases, t.disclosure,
              t.min_group_size, t.small_cohort_threshold, t.valid_from, t.valid_to, who);
          -- Every tenant that is or was a party may go on reading the protocol.
          SELECT array_agg(DISTINCT x) INTO new_parties FROM unnest(p.parties || t.parties) x;
          UPDATE protocols SET current_version = new_version, status = p_status,
              parties = new_parties, updated_at = now()
            WHERE tenant_id = me AND id = p_protocol;
        ELSIF (p_action = 'suspend' AND p.status = 'active' AND p_status = 'suspended')
              OR (p_action = 'revoke' AND p_status = 'revoked') THEN
          v_event := p_status;
          UPDATE protocols SET status = p_status, version_in_force = NULL, updated_at = now()
            WHERE tenant_id = me AND id = p_protocol;
        ELSE
          RAISE EXCEPTION 'a % protocol cannot be changed by % to %', p.status, p_action, p_status
            USING ERRCODE = 'invalid_parameter_value';
        END IF;

        INSERT INTO protocol_events (tenant_id, protocol_id, version, event, actor_tenant_id, actor_user_id, detail)
          VALUES (me, p_protocol, new_version, v_event, me, who, v_detail);
        RETURN sharing_settle_protocol(me, p_protocol, me, who);
      END $fn$;

      -- A party withdraws one of its own schools, and the protocol is settled, by the same role.
      -- False when the school had already opted out (nothing changes).
      CREATE FUNCTION protocol_opt_out(p_owner uuid, p_protocol uuid, p_urn integer)
      RETURNS boolean
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        me uuid := app_current_tenant();
        who uuid := nullif(current_setting('app.user_id', true), '')::uuid;
        p protocols%ROWTYPE;
        inserted integer;
      BEGIN
        SELECT * INTO p FROM protocols WHERE tenant_id = p_owner AND id = p_protocol FOR UPDATE;
        IF NOT FOUND OR NOT (me = ANY (p.parties)) THEN
          RAISE EXCEPTION 'protocol % is not one your authority is party to', p_protocol
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = me AND u.id = who
                       AND (u.role = 'la_admin' OR (u.role = 'headteacher' AND u.school_urn = p_urn))) THEN
          RAISE EXCEPTION 'only the school''s headteacher or its authority''s LA admin can opt a school out'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM schools s WHERE s.tenant_id = me AND s.urn = p_urn) THEN
          RAISE EXCEPTION 'school % is not in your authority''s register', p_urn
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        INSERT INTO protocol_opt_outs (tenant_id, protocol_owner_id, protocol_id, urn, opted_out_by)
          VALUES (me, p_owner, p_protocol, p_urn, who) ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS inserted = ROW_COUNT;
        IF inserted = 0 THEN
          RETURN false;
        END IF;
        PERFORM sharing_settle_protocol(p_owner, p_protocol, me, who);
        RETURN true;
      END $fn$;
    `);
    // The owner must be able to create in the schema while taking the functions over.
    await db.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${SHARING_ROLE}`);
    for (const fn of [
      'protocol_lock(uuid)',
      'protocol_owner_step(uuid, varchar, varchar, jsonb, text)',
      'protocol_opt_out(uuid, uuid, integer)',
    ]) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO ${SHARING_ROLE}`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
    await db.query(`REVOKE CREATE ON SCHEMA public FROM ${SHARING_ROLE}`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP FUNCTION protocol_opt_out(uuid, uuid, integer);
      DROP FUNCTION protocol_owner_step(uuid, varchar, varchar, jsonb, text);
      DROP FUNCTION protocol_lock(uuid);
    `);
  }
}
