import type { Environment } from 'nunjucks';

import type { Role } from '@schoolbench/tenancy';

import { formatPeriod, formatValue } from '../charts/number-format';

const ROLE_NAMES: Record<Role, string> = {
  operator: 'platform operator',
  la_admin: 'LA admin',
  analyst: 'LA analyst',
  headteacher: 'headteacher',
  governor: 'governor',
};

export function roleName(role: Role): string {
  return ROLE_NAMES[role] ?? role;
}

// Built once: `toLocale…String` with options builds a formatter on every call.
const DAY = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const TIME = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});

/** Dates as people in English local government write them: 3 December 2026, 14:05. */
export function formatDate(value: Date | string | null | undefined, withTime = false): string {
  if (!value) return '';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const day = DAY.format(date);
  if (!withTime) return day;
  return `${day}, ${TIME.format(date)}`;
}

export function addViewFilters(env: Environment): void {
  env.addFilter('roleName', roleName);
  env.addFilter('date', (v: Date | string | null) => formatDate(v));
  env.addFilter('dateTime', (v: Date | string | null) => formatDate(v, true));
  env.addFilter('period', formatPeriod);
  env.addFilter('value', (v: number | null, unit?: string, decimals?: number) =>
    formatValue(v, unit, decimals),
  );
}
