import type { DisclosureLevel } from './protocol-terms';

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
