import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';
import { enableTenantIsolation } from './1763820000000-foundation';

/**
 * Who gave whom access, and when: every user created, invited, signed up, given another role or
 * removed, as an append-only record of the authority (the app role may insert and read, never
 * change or delete). No foreign key to `users`: the record outlives the user it is about, and
 * `actor_user_id` is null for the operator (CLI, onboarding). Under forced row-level security.
 */
export class UserEvents1765560000000 implements MigrationInterface {
  name = 'UserEvents1765560000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE user_events (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id bigint GENERATED ALWAYS AS IDENTITY,
        user_id uuid NOT NULL,
        email text NOT NULL,
        event varchar(16) NOT NULL
          CHECK (event IN ('created', 'invited', 'signed_up', 'role_changed', 'removed')),
        role_before varchar(16),
        school_urn_before integer,
        role_after varchar(16),
        school_urn_after integer,
        actor_user_id uuid,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      );
      CREATE INDEX user_events_recent ON user_events (tenant_id, at DESC, id DESC);
    `);
    await enableTenantIsolation(db, 'user_events');
    await db.query(`GRANT SELECT, INSERT ON user_events TO ${APP_ROLE};`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE user_events;');
  }
}
