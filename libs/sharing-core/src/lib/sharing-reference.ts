import type { DisclosureLevel, RecordCategory } from './protocol-terms';

/**
 * What the sharing rules say a tenant may read of other tenants' named data: a plain,
 * deliberately slow restatement of SPEC §6, used to check the database's grants and policies.
 */
export interface ReferenceProtocol {
  ownerTenantId: string;
  id: string;
  status: string;
  parties: readonly string[];
  measures: readonly string[];
  periodFrom: number;
  periodTo: number;
  phases: readonly string[];
  disclosure: DisclosureLevel;
  smallCohortThreshold: number;
  validFrom: string;
  validTo: string;
  /** `${tenantId}:${urn}` of schools opted out of this protocol. */
  optedOut: ReadonlySet<string>;
  /** Record categories the scope names (targets, judgements); none if absent. */
  records?: readonly RecordCategory[];
}

export interface ReferenceSchool {
  tenantId: string;
  urn: number;
  phase: string | null;
}

export interface ReferenceCell {
  tenantId: string;
  urn: number;
  measure: string;
  period: number;
  denominator: number | null;
}

/** May `reader` read this cell of another tenant as named data today? */
export function mayReadNamedCell(
  reader: string,
  cell: ReferenceCell,
  school: ReferenceSchool,
  protocols: readonly ReferenceProtocol[],
  today: string,
): boolean {
  if (cell.tenantId === reader) return true;
  return protocols.some(
    (p) =>
      p.status === 'active' &&
      p.disclosure === 'named' &&
      p.validFrom <= today &&
      today <= p.validTo &&
      p.parties.includes(reader) &&
      p.parties.includes(cell.tenantId) &&
      p.measures.includes(cell.measure) &&
      p.periodFrom <= cell.period &&
      cell.period <= p.periodTo &&
      (p.phases.length === 0 || p.phases.includes((school.phase ?? '').toLowerCase())) &&
      !p.optedOut.has(`${cell.tenantId}:${cell.urn}`) &&
      (cell.denominator === null || cell.denominator >= p.smallCohortThreshold),
  );
}

/** One of another tenant's records: a target event (with its period) or a judgement. */
export interface ReferenceRecord {
  tenantId: string;
  /** Null: an authority-wide target. */
  urn: number | null;
  category: RecordCategory;
  /** A target's period; null for a judgement (not bound to a period). */
  period: number | null;
}

/**
 * May `reader` read this record of another tenant today? Only under a named protocol in force
 * whose scope names the category, for a school in its reach (phase in scope, not opted out) and
 * a target's period within its range; an authority-wide target when any of the owner's schools
 * is in that reach (docs/targets.md §7).
 */
export function mayReadRecord(
  reader: string,
  record: ReferenceRecord,
  schools: readonly ReferenceSchool[],
  protocols: readonly ReferenceProtocol[],
  today: string,
): boolean {
  if (record.tenantId === reader) return true;
  const inReach = (p: ReferenceProtocol, s: ReferenceSchool) =>
    s.tenantId === record.tenantId &&
    (p.phases.length === 0 || p.phases.includes((s.phase ?? '').toLowerCase())) &&
    !p.optedOut.has(`${s.tenantId}:${s.urn}`);
  return protocols.some(
    (p) =>
      p.status === 'active' &&
      p.disclosure === 'named' &&
      p.validFrom <= today &&
      today <= p.validTo &&
      p.parties.includes(reader) &&
      p.parties.includes(record.tenantId) &&
      (p.records ?? []).includes(record.category) &&
      (record.period === null || (p.periodFrom <= record.period && record.period <= p.periodTo)) &&
      schools.some((s) => inReach(p, s) && (record.urn === null || s.urn === record.urn)),
  );
}
