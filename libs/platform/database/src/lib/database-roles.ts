/**
 * The database roles. Migrations run as the owner; services connect as the app role, which
 * owns nothing and cannot bypass row-level security. Roles are cluster-wide in PostgreSQL, so
 * every database of a cluster (tests create one per run) shares them.
 */
export const OWNER_ROLE = 'schoolbench_owner';
export const APP_ROLE = 'schoolbench_app';

/**
 * Owns the few security-definer functions that act across tenants for data-sharing protocols
 * (signing, compiling grants, pseudonymised and aggregate reads). It cannot log in; it bypasses
 * row-level security only inside those functions, which check the caller's tenant and grants
 * themselves. See docs/sharing.md.
 */
export const SHARING_ROLE = 'schoolbench_sharing';

/**
 * Owns only the two functions that delete data whose time is up: `tenant_exit_delete` (every row
 * of an authority whose exit is due; docs/sharing.md §11) and `retention_apply` (docs/operations.md,
 * "Retention"). It cannot log in; it bypasses row-level security only inside those functions,
 * which decide what is due themselves.
 */
export const RETENTION_ROLE = 'schoolbench_retention';
