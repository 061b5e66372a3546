import { mayReadRecord, type ReferenceProtocol, type ReferenceSchool } from './sharing-reference';

describe('mayReadRecord: the reference rule for partners’ targets and judgements', () => {
  const today = '2026-12-03';
  const schools: ReferenceSchool[] = [
    { tenantId: 'owner', urn: 1, phase: 'primary' },
    { tenantId: 'owner', urn: 2, phase: 'secondary' },
  ];
  const protocol = (over: Partial<ReferenceProtocol> = {}): ReferenceProtocol => ({
    ownerTenantId: 'owner',
    id: 'p',
    status: 'active',
    parties: ['owner', 'reader'],
    measures: [],
    periodFrom: 201718,
    periodTo: 201819,
    phases: [],
    disclosure: 'named',
    smallCohortThreshold: 0,
    validFrom: '2026-01-01',
    validTo: '2027-12-31',
    optedOut: new Set(),
    records: ['targets'],
    ...over,
  });
  const target = { tenantId: 'owner', urn: 1, category: 'targets' as const, period: 201819 };
  const read = (record: Parameters<typeof mayReadRecord>[1], p: ReferenceProtocol[]) =>
    mayReadRecord('reader', record, schools, p, today);

  it('admits a named school’s target only when the scope names targets, in its periods', () => {
    expect(read(target, [protocol()])).toBe(true);
    expect(read(target, [protocol({ records: [] })])).toBe(false);
    expect(read(target, [protocol({ records: undefined })])).toBe(false);
    expect(read({ ...target, period: 201617 }, [protocol()])).toBe(false);
    expect(read({ ...target, category: 'judgements', period: null }, [protocol()])).toBe(false);
    expect(
      read({ ...target, category: 'judgements', period: null }, [
        protocol({ records: ['judgements'] }),
      ]),
    ).toBe(true);
  });

  it('refuses under pseudonymised and aggregate protocols, revoked, expired, or opted out', () => {
    expect(read(target, [protocol({ disclosure: 'pseudonymised' })])).toBe(false);
    expect(read(target, [protocol({ disclosure: 'aggregate' })])).toBe(false);
    expect(read(target, [protocol({ status: 'revoked' })])).toBe(false);
    expect(read(target, [protocol({ validTo: '2026-12-02' })])).toBe(false);
    expect(read(target, [protocol({ optedOut: new Set(['owner:1']) })])).toBe(false);
    expect(read(target, [protocol({ phases: ['secondary'] })])).toBe(false);
    expect(read(target, [protocol({ parties: ['owner', 'someone else'] })])).toBe(false);
  });

  it('admits an authority-wide target while any of the owner’s schools is in reach', () => {
    const authority = { ...target, urn: null };
    expect(read(authority, [protocol({ optedOut: new Set(['owner:1']) })])).toBe(true);
    expect(read(authority, [protocol({ optedOut: new Set(['owner:1', 'owner:2']) })])).toBe(false);
  });

  it('always admits the reader’s own records', () => {
    expect(read({ ...target, tenantId: 'reader' }, [])).toBe(true);
  });
});
