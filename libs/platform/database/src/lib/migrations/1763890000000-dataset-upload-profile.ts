import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A queued upload remembers the mapping profile it was uploaded with, so a worker can queue its
 * import again if Redis lost the job (Redis restarted without persistence).
 */
export class DatasetUploadProfile1763890000000 implements MigrationInterface {
  name = 'DatasetUploadProfile1763890000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE datasets ADD COLUMN upload_profile_id uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE datasets DROP COLUMN upload_profile_id`);
  }
}
