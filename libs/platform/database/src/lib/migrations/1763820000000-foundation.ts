import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE, OWNER_ROLE } from '../database-roles';

/**
 * Tenants, schools, users and credentials, with row-level security enabled and forced on every
 * tenant-owned table. See docs/architecture.md, "Adding a tenant-owned table".
 */
export class Foundation1763820000000 implements MigrationInterface {
  name = 'Foundation1763820000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      -- Raises instead of matching nothing, so a query outside a tenant transaction fails loudly.
      CREATE FUNCTION app_current_tenant() RETURNS uuid
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
      DECLARE v text := current_setting('app.tenant_id', true);
      BEGIN
        IF v IS NULL OR v = '' THEN
          RAISE EXCEPTION 'tenant context is not set: tenant-scoped data is only reachable inside a tenant transaction'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN v::uuid;
      END $fn$;

      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL CHECK (kind IN ('authority', 'public', 'platform')),
        la_code varchar(3) UNIQUE CHECK (la_code ~ '^[0-9]{3}$'),
        name varchar(200) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'authority') = (la_code IS NOT NULL))
      );
      CREATE UNIQUE INDEX tenants_one_public_one_platform ON tenants (kind) WHERE kind <> 'authority';

      -- The public reference tenant: readable by every tenant, writable only inside its own context.
      CREATE FUNCTION app_public_tenant() RETURNS uuid
      LANGUAGE sql STABLE PARALLEL SAFE AS $fn$ SELECT id FROM tenants WHERE kind = 'public' $fn$;

      CREATE TABLE schools (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        urn integer NOT NULL CHECK (urn > 0),
        laestab integer,
        name varchar(300) NOT NULL,
        phase varchar(40),
        type varchar(120),
        la_code varchar(3),
        opened_on date,
        closed_on date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, urn)
      );
      CREATE INDEX schools_tenant_name ON schools (tenant_id, lower(name));

      CREATE TABLE users (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email varchar(320) NOT NULL CHECK (email = lower(email)),
        display_name varchar(200),
        role varchar(16) NOT NULL
          CHECK (role IN ('operator', 'la_admin', 'analyst', 'headteacher', 'governor')),
        school_urn integer,
        password_hash varchar(200),
        invitation_hash varchar(64),
        invitation_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, email),
        FOREIGN KEY (tenant_id, school_urn) REFERENCES schools (tenant_id, urn),
        CHECK ((role IN ('headteacher', 'governor')) = (school_urn IS NOT NULL))
      );

      -- Sign-in needs to find a user's tenant before any tenant is known: this directory maps an
      -- e-mail to its tenant, and only the security-definer function below reads across tenants.
      CREATE TABLE login_directory (
        email varchar(320) PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
      );

      CREATE TABLE api_keys (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prefix varchar(24) NOT NULL,
        secret_hash varchar(64) NOT NULL,
        name varchar(200) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('la_admin', 'analyst')),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, prefix),
        FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id) ON DELETE CASCADE
      );

      CREATE TABLE api_key_directory (
        prefix varchar(24) PRIMARY KEY,
        tenant_id uuid NOT NULL,
        FOREIGN KEY (tenant_id, prefix) REFERENCES api_keys (tenant_id, prefix) ON DELETE CASCADE
      );

      CREATE TABLE refresh_tokens (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        user_id uuid NOT NULL,
        family_id uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);
      CREATE INDEX refresh_tokens_expiry ON refresh_tokens (tenant_id, expires_at);

      CREATE FUNCTION auth_resolve_login(p_email text)
      RETURNS TABLE (tenant_id uuid, user_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        SELECT d.tenant_id, d.user_id FROM login_directory d WHERE d.email = lower(p_email)
      $fn$;

      CREATE FUNCTION auth_resolve_api_key(p_prefix text) RETURNS uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
        SELECT d.tenant_id FROM api_key_directory d WHERE d.prefix = p_prefix
      $fn$;
    `);

    for (const table of ['schools', 'users', 'api_keys', 'refresh_tokens']) {
      await enableTenantIsolation(db, table);
    }
    await db.query(`
      CREATE POLICY public_reference_read ON schools FOR SELECT
        USING (tenant_id = app_public_tenant());
    `);
    // Directory rows are written in the tenant's own context; reads across tenants happen only
    // inside the security-definer functions above, which run as the owner. Their tenant policy
    // does not raise when no tenant is set, or it would also stop those functions.
    for (const table of ['login_directory', 'api_key_directory']) {
      await db.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
          WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
        CREATE POLICY directory_lookup ON ${table} FOR SELECT USING (current_user = '${OWNER_ROLE}');
      `);
    }

    await db.query(`
      REVOKE ALL ON FUNCTION auth_resolve_login(text), auth_resolve_api_key(text) FROM PUBLIC;
      GRANT USAGE ON SCHEMA public TO ${APP_ROLE};
      GRANT EXECUTE ON FUNCTION auth_resolve_login(text), auth_resolve_api_key(text) TO ${APP_ROLE};
      GRANT SELECT, INSERT ON tenants TO ${APP_ROLE};
      GRANT UPDATE (name, status) ON tenants TO ${APP_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON schools, users, api_keys, refresh_tokens TO ${APP_ROLE};
      GRANT SELECT, INSERT, DELETE ON login_directory, api_key_directory TO ${APP_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP FUNCTION auth_resolve_api_key(text);
      DROP FUNCTION auth_resolve_login(text);
      DROP TABLE refresh_tokens, api_key_directory, api_keys, login_directory, users, schools;
      DROP FUNCTION app_public_tenant();
      DROP TABLE tenants;
      DROP FUNCTION app_current_tenant();
    `);
  }
}

/** The one way a tenant-owned table is protected: RLS enabled and forced, one policy by tenant. */
export async function enableTenantIsolation(db: QueryRunner, table: string): Promise<void> {
  await db.query(`
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON ${table}
      USING (tenant_id = app_current_tenant())
      WITH CHECK (tenant_id = app_current_tenant());
  `);
}
