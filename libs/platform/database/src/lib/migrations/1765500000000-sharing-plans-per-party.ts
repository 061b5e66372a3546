import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `sharing_grant_plan` and `sharing_reach_plan` compute the same rows as in
 * 1763850000000-sharing.ts, in steps that each read one tenant's rows: the protocol and its version
 * in force, then whether every party signed it (array containment instead of a correlated
 * subquery over `unnest(parties)`), then each party's schools in scope, then the cross product
 * with the grantees over arrays alone. Citus refuses the one-statement form ("correlated
 * subqueries are not supported when the FROM clause contains a set returning function",
 * docs/scaling.md §9.4); on one node the rows are the same.
 */
export class SharingPlansPerParty1765500000000 implements MigrationInterface {
  name = 'SharingPlansPerParty1765500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION sharing_grant_plan(p_owner uuid, p_protocol uuid) RETURNS SETOF sharing_grants
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        v protocol_versions%ROWTYPE;
        g sharing_grants;
        owner uuid;
        grantee uuid;
        measure text;
      BEGIN
        SELECT pv.* INTO v FROM protocols p
          JOIN protocol_versions pv ON pv.tenant_id = p.tenant_id AND pv.protocol_id = p.id
                                   AND pv.version = p.version_in_force
          WHERE p.tenant_id = p_owner AND p.id = p_protocol AND p.status = 'active';
        IF NOT FOUND THEN
          RETURN;
        END IF;
        -- Whatever a status says, nothing is shared unless every party signed the version.
        IF NOT v.parties <@ ARRAY(SELECT s.signer_tenant_id FROM protocol_signatures s
                                  WHERE s.tenant_id = p_owner AND s.protocol_id = p_protocol
                                    AND s.version = v.version) THEN
          RETURN;
        END IF;
        -- Row by row: assigning to the row's fields checks the columns' lengths as the one
        -- statement did (RETURN QUERY would need casts, which truncate).
        g.protocol_owner_id := p_owner;
        g.protocol_id := p_protocol;
        g.protocol_version := v.version;
        g.period_from := v.period_from;
        g.period_to := v.period_to;
        g.disclosure := v.disclosure;
        g.min_group_size := v.min_group_size;
        g.small_cohort_threshold := v.small_cohort_threshold;
        g.valid_from := v.valid_from;
        g.valid_to := v.valid_to;
        FOREACH owner IN ARRAY v.parties LOOP
          FOREACH grantee IN ARRAY v.parties LOOP
            CONTINUE WHEN (owner <> grantee) IS NOT TRUE;
            FOREACH measure IN ARRAY v.measures LOOP
              g.tenant_id := owner;
              g.grantee_tenant_id := grantee;
              g.measure := measure;
              RETURN NEXT g;
            END LOOP;
          END LOOP;
        END LOOP;
      END $fn$;

      CREATE OR REPLACE FUNCTION sharing_reach_plan(p_owner uuid, p_protocol uuid) RETURNS SETOF sharing_reach
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        v protocol_versions%ROWTYPE;
        pseudonym_secret bytea;
        scope_phases text[];
        party uuid;
        grantee uuid;
        urns integer[];
        urn integer;
        r sharing_reach;
      BEGIN
        SELECT pv.* INTO v FROM protocols p
          JOIN protocol_versions pv ON pv.tenant_id = p.tenant_id AND pv.protocol_id = p.id
                                   AND pv.version = p.version_in_force
          WHERE p.tenant_id = p_owner AND p.id = p_protocol AND p.status = 'active';
        IF NOT FOUND THEN
          RETURN;
        END IF;
        IF NOT v.parties <@ ARRAY(SELECT s.signer_tenant_id FROM protocol_signatures s
                                  WHERE s.tenant_id = p_owner AND s.protocol_id = p_protocol
                                    AND s.version = v.version) THEN
          RETURN;
        END IF;
        SELECT p.pseudonym_key INTO pseudonym_secret FROM protocols p
          WHERE p.tenant_id = p_owner AND p.id = p_protocol;
        scope_phases := ARRAY(SELECT lower(x) FROM unnest(v.phases) x);
        r.protocol_owner_id := p_owner;
        r.protocol_id := p_protocol;
        r.disclosure := v.disclosure;
        r.valid_from := v.valid_from;
        r.valid_to := v.valid_to;
        -- One party's schools at a time (each party's rows are one shard on Citus).
        FOREACH party IN ARRAY ARRAY(SELECT DISTINCT x FROM unnest(v.parties) x WHERE x IS NOT NULL) LOOP
          urns := ARRAY(
            SELECT s.urn FROM schools s
            WHERE s.tenant_id = party
              AND (cardinality(scope_phases) = 0 OR lower(coalesce(s.phase, '')) = ANY (scope_phases))
              AND NOT EXISTS (SELECT 1 FROM protocol_opt_outs o
                              WHERE o.tenant_id = s.tenant_id AND o.urn = s.urn
                                AND o.protocol_owner_id = p_owner AND o.protocol_id = p_protocol));
          FOREACH urn IN ARRAY urns LOOP
            FOREACH grantee IN ARRAY v.parties LOOP
              CONTINUE WHEN (party <> grantee) IS NOT TRUE;
              r.tenant_id := party;
              r.grantee_tenant_id := grantee;
              r.urn := urn;
              r.pseudonym := sharing_pseudonym(pseudonym_secret, urn);
              RETURN NEXT r;
            END LOOP;
          END LOOP;
        END LOOP;
      END $fn$;
    `);
  }

  // The replaced bodies compute the same rows; going down keeps these.
  async down(): Promise<void> {}
}
