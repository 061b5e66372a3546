import { navigationFor } from './navigation';
import { safeNext } from './sign-in.controller';

describe('navigation', () => {
  it('marks the section of the current page', () => {
    const nav = navigationFor('la_admin', '/protocols/3/sign');
    expect(nav.filter((n) => n.active).map((n) => n.href)).toEqual(['/protocols']);
    expect(navigationFor('governor', '/').find((n) => n.active)?.href).toBe('/');
    expect(navigationFor('operator', '/').map((n) => n.href)).toEqual([
      '/',
      '/tenants',
      '/platform-health',
    ]);
  });

  it('returns to paths on this site only after sign-in', () => {
    expect(safeNext('/schools/1')).toBe('/schools/1');
    expect(safeNext('//evil.example/x')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/sign-out')).toBe('/');
    expect(safeNext(undefined)).toBe('/');
  });
});
