/**
 * The pure rules of clubs (SPEC §7): which member schools a viewer may see identified, how a
 * dashboard period is written, where a value sits against its group's quartiles and why a
 * statistic is withheld. No framework or database here, so each rule is unit-tested on its own.
 */

export type Disclosure = 'named' | 'pseudonymised' | 'aggregate';

/** The breakdown that holds a school's headline value (SPEC §5: `all`). */
export const HEADLINE_BREAKDOWN = 'all';

/** Protocol states under which a club can still change membership. */
export const OPEN_PROTOCOL_STATES: readonly string[] = ['proposed', 'active'];

/** A dashboard reads at most this many measures at once: one page of a headteacher's screen. */
export const MAX_DASHBOARD_MEASURES = 20;

/**
 * `201819`, `2018/19` or `2018-19` → 201819 (the EES integer the database stores); null for
 * anything else, including years that do not follow on (`2018/20`).
 */
export function parseClubPeriod(text: string): number | null {
  const match = /^\s*(\d{4})(?:[/-]?)(\d{2})\s*$/.exec(text);
  if (!match) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if ((start + 1) % 100 !== end) return null;
  return Number(`${match[1]}${match[2]}`);
}

export interface MemberViewer {
  /** The viewer's authority coordinates the club. */
  coordinates: boolean;
  /** A headteacher or governor: bound to one school. */
  schoolBound: boolean;
  /** Their school, when school-bound. */
  schoolUrn: number | null;
}

export interface MemberPlace {
  urn: number;
  /** The member school belongs to the viewer's authority. */
  isOwn: boolean;
}

/**
 * Whether the viewer may see a member school's URN and name. The club's protocol decides for
 * partners' schools (only `named` identifies them); a school-bound viewer sees the other schools
 * of their own authority no better than a partner would; the coordinating authority's staff see
 * every member's URN because they chose them and manage the list.
 */
export function identifiesMember(
  viewer: MemberViewer,
  member: MemberPlace,
  disclosure: Disclosure | null,
): boolean {
  if (member.isOwn && !viewer.schoolBound) return true;
  if (member.isOwn && viewer.schoolUrn === member.urn) return true;
  if (viewer.coordinates && !viewer.schoolBound) return true;
  return disclosure === 'named';
}

export interface Quartiles {
  q1: number | null;
  median: number | null;
  q3: number | null;
}

/**
 * Where a value sits in its group: 1 at or below the lower quartile, 2 up to the median, 3 up to
 * the upper quartile, 4 above it. By value, not by merit: the measure's polarity says which end
 * is better. Null when there is no value or the quartiles are withheld.
 */
export function quartileOf(value: number | null, q: Quartiles): number | null {
  if (value === null || q.q1 === null || q.median === null || q.q3 === null) return null;
  if (value <= q.q1) return 1;
  if (value <= q.median) return 2;
  if (value <= q.q3) return 3;
  return 4;
}

export interface StatisticFacts {
  /** The protocol is in force (active, with a version in force). */
  inForce: boolean;
  /** The measure and period fall within the protocol's scope. */
  inScope: boolean;
  partnerN: number;
  minGroupSize: number | null;
  quartilesShown: boolean;
  /** Statistics over a protocol's reach are per phase, and the club names none. */
  phaseMissing?: boolean;
}

/** Why a measure's quartiles are not shown, in words for the dashboard; null when they are. */
export function withheldReason(f: StatisticFacts): string | null {
  if (f.quartilesShown) return null;
  if (!f.inForce) return 'The club’s protocol is not in force: no partner data is shared';
  if (!f.inScope) return 'This measure or period is outside the club’s protocol';
  if (f.phaseMissing) {
    return 'Statistics under this protocol are computed per phase over all its schools: give the club a phase';
  }
  const k = f.minGroupSize ?? 3;
  return `Only ${f.partnerN} partner school${f.partnerN === 1 ? ' has' : 's have'} a value; the protocol needs at least ${k} before showing quartiles`;
}

export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}
