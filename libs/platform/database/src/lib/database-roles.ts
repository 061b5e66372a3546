/**
 * The two database roles. Migrations run as the owner; services connect as the app role, which
 * owns nothing and cannot bypass row-level security. Roles are cluster-wide in PostgreSQL, so
 * every database of a cluster (tests create one per run) shares them.
 */
export const OWNER_ROLE = 'schoolbench_owner';
export const APP_ROLE = 'schoolbench_app';
