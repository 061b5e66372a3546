import type { Role } from '@schoolbench/tenancy';

export interface NavigationItem {
  href: string;
  text: string;
  active?: boolean;
}

const SECTIONS: Record<Role, readonly Omit<NavigationItem, 'active'>[]> = {
  headteacher: [
    { href: '/', text: 'Home' },
    { href: '/my-school', text: 'Your school' },
    { href: '/targets', text: 'Targets' },
    { href: '/clubs', text: 'Clubs' },
    { href: '/protocols', text: 'Protocols' },
  ],
  governor: [
    { href: '/', text: 'Home' },
    { href: '/my-school', text: 'Your school' },
    { href: '/targets', text: 'Targets' },
    { href: '/clubs', text: 'Clubs' },
  ],
  analyst: [
    { href: '/', text: 'Home' },
    { href: '/schools', text: 'Schools' },
    { href: '/early-warnings', text: 'Early warnings' },
    { href: '/targets', text: 'Targets' },
    { href: '/comparisons', text: 'Comparisons' },
    { href: '/clubs', text: 'Clubs' },
    { href: '/api-keys', text: 'API keys' },
  ],
  la_admin: [
    { href: '/', text: 'Home' },
    { href: '/schools', text: 'Schools' },
    { href: '/datasets', text: 'Datasets' },
    { href: '/targets', text: 'Targets' },
    { href: '/protocols', text: 'Protocols' },
    { href: '/access-log', text: 'Access log' },
    { href: '/users', text: 'Users' },
    { href: '/api-keys', text: 'API keys' },
  ],
  operator: [
    { href: '/', text: 'Home' },
    { href: '/tenants', text: 'Tenants' },
    { href: '/platform-health', text: 'Platform health' },
  ],
};

/** The service navigation of a role, with the section of `path` marked active. */
export function navigationFor(role: Role, path: string): NavigationItem[] {
  const sections = SECTIONS[role];
  const current = sections
    .filter((s) =>
      s.href === '/' ? path === '/' : path === s.href || path.startsWith(`${s.href}/`),
    )
    .at(-1);
  return sections.map((s) => ({ ...s, active: s === current }));
}
