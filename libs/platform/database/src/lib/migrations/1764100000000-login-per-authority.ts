import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An e-mail address is unique within an authority, no longer across all of them: with one global
 * directory, creating a user told an authority's admin that the address had an account in another
 * authority (issue 10, finding 5). Sign-in checks the password against each account of the
 * address (ADR 0010).
 */
export class LoginPerAuthority1764100000000 implements MigrationInterface {
  name = 'LoginPerAuthority1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE login_directory DROP CONSTRAINT login_directory_pkey;
      ALTER TABLE login_directory ADD PRIMARY KEY (email, tenant_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE login_directory DROP CONSTRAINT login_directory_pkey;
      ALTER TABLE login_directory ADD PRIMARY KEY (email);
    `);
  }
}
