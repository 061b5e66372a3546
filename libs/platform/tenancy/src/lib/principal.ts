export const ROLES = ['operator', 'la_admin', 'analyst', 'headteacher', 'governor'] as const;
export type Role = (typeof ROLES)[number];

/** Roles bound to one school: they see that school only. */
export const SCHOOL_ROLES: readonly Role[] = ['headteacher', 'governor'];

/** Who is acting: always derived from a verified credential or a queued job, never from input. */
export interface Principal {
  tenantId: string;
  userId: string;
  role: Role;
  /** Set for headteachers and governors. */
  schoolUrn: number | null;
  /** How the principal was authenticated. */
  via: 'password' | 'api_key' | 'job' | 'cli';
}
