import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';

/**
 * Removing a user clears who uploaded a dataset, requested a comparison run or an export, or last
 * changed the benchmark settings. On one node `ON DELETE SET NULL (column)` does it; Citus refuses
 * that action on a key that includes the distribution column (docs/scaling.md §9.1, point 2), so
 * `UsersService.remove` clears the four columns itself first, on both paths. The app role could
 * already update the other three; a run's requester is the one column it lacked.
 */
export class RunRequesterClearedByApp1765700000300 implements MigrationInterface {
  name = 'RunRequesterClearedByApp1765700000300';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`GRANT UPDATE (requested_by) ON comparison_runs TO ${APP_ROLE}`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`REVOKE UPDATE (requested_by) ON comparison_runs FROM ${APP_ROLE}`);
  }
}
