import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';

/**
 * Partners' targets and judgements under a protocol that names them (docs/targets.md §7,
 * docs/sharing.md §3). A protocol's scope may name the record categories `targets` and
 * `judgements` (libs/sharing-core `RECORD_CATEGORIES`); until now they granted nothing.
 *
 * The grant is the compiled named reach (`sharing_reach`: the protocol is active, every party
 * signed the version in force, the school's phase is in scope, it has not opted out, and today
 * is within the version's dates) of a protocol whose **version in force** names the category.
 * Reach and `version_in_force` are written together by `sharing_settle_protocol`, so a
 * revocation, suspension, opt-out or amendment acts on the next query, as for observations.
 * Named reach only: a judgement or a school's target is about one school and is published with
 * its URN (Ofsted) or is meaningless without it, so under a pseudonymised or aggregate protocol
 * neither is served.
 */
export class SharedRecords1765200000000 implements MigrationInterface {
  name = 'SharedRecords1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      -- Which owner schools the caller may read records of a category for, under which
      -- protocol and version, and for which periods. Invoker rights: the caller reads only its own
      -- named reach rows and the versions of protocols it is a party to. Inlined into the policies.
      CREATE FUNCTION shared_record_reach(p_category text)
      RETURNS TABLE (tenant_id uuid, urn integer, protocol_owner_id uuid, protocol_id uuid,
                     protocol_version integer, period_from integer, period_to integer)
      LANGUAGE sql STABLE AS $fn$
        SELECT r.tenant_id, r.urn, r.protocol_owner_id, r.protocol_id, v.version, v.period_from, v.period_to
        FROM sharing_reach r
        JOIN protocols p ON p.tenant_id = r.protocol_owner_id AND p.id = r.protocol_id
        JOIN protocol_versions v ON v.tenant_id = p.tenant_id AND v.protocol_id = p.id
                                AND v.version = p.version_in_force
        WHERE r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
          AND current_date BETWEEN r.valid_from AND r.valid_to
          AND p.status = 'active' AND p_category = ANY (v.scope_categories)
      $fn$;
      REVOKE ALL ON FUNCTION shared_record_reach(text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION shared_record_reach(text) TO ${APP_ROLE};

      -- A school's targets, baselines and proposals in the protocol's period range; the
      -- authority-wide ones (no URN) when at least one of the owner's schools is in that reach.
      CREATE POLICY via_protocol_grant ON target_events FOR SELECT USING (
        tenant_id <> (SELECT app_current_tenant()) AND tenant_id IS DISTINCT FROM (SELECT app_public_tenant())
        AND EXISTS (SELECT 1 FROM shared_record_reach('targets') s
                    WHERE s.tenant_id = target_events.tenant_id
                      AND (target_events.urn IS NULL OR s.urn = target_events.urn)
                      AND target_events.time_period BETWEEN s.period_from AND s.period_to));

      -- Judgements are the school's standing, not a period's data: every record of a school in
      -- reach.
      CREATE POLICY via_protocol_grant ON school_judgements FOR SELECT USING (
        tenant_id <> (SELECT app_current_tenant()) AND tenant_id IS DISTINCT FROM (SELECT app_public_tenant())
        AND EXISTS (SELECT 1 FROM shared_record_reach('judgements') s
                    WHERE s.tenant_id = school_judgements.tenant_id AND s.urn = school_judgements.urn));

      -- The reader logs its reads of records in the owner's access log; a protocol sharing records
      -- only has no measure grant for the first policy to find, so its reach admits the entry.
      CREATE POLICY reader_writes_records ON access_log FOR INSERT WITH CHECK (
        reader_tenant_id = app_current_tenant()
        AND EXISTS (SELECT 1 FROM sharing_reach r WHERE r.tenant_id = access_log.tenant_id
                    AND r.grantee_tenant_id = app_current_tenant()
                    AND r.protocol_id = access_log.protocol_id));

      -- A scope may share records only (no measure): the terms check allows it, so must the table.
      ALTER TABLE protocol_versions DROP CONSTRAINT protocol_versions_measures_check;
      ALTER TABLE protocol_versions ADD CONSTRAINT protocol_versions_measures_check
        CHECK (cardinality(measures) > 0 OR scope_categories && ARRAY['targets', 'judgements']);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE protocol_versions DROP CONSTRAINT protocol_versions_measures_check;
      ALTER TABLE protocol_versions ADD CONSTRAINT protocol_versions_measures_check
        CHECK (cardinality(measures) > 0);
      DROP POLICY reader_writes_records ON access_log;
      DROP POLICY via_protocol_grant ON school_judgements;
      DROP POLICY via_protocol_grant ON target_events;
      DROP FUNCTION shared_record_reach(text);
    `);
  }
}
