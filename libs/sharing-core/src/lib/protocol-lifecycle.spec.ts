import {
  checkProtocolAction,
  ProtocolRuleError,
  type ProtocolAction,
  type ProtocolState,
  type ProtocolStatus,
} from './protocol-lifecycle';

const OWNER = 'hampshire';
const PARTNER = 'north-yorkshire';
const OUTSIDER = 'kent';

function state(status: ProtocolStatus, extra: Partial<ProtocolState> = {}): ProtocolState {
  return {
    status,
    currentVersion: 1,
    versionInForce: status === 'active' ? 1 : null,
    ownerTenantId: OWNER,
    parties: [OWNER, PARTNER],
    signedBy: [],
    ...extra,
  };
}

const admin = (tenantId: string) => ({ tenantId, role: 'la_admin' });

describe('protocol lifecycle', () => {
  it('walks draft → proposed → active as each party signs', () => {
    expect(checkProtocolAction(state('draft'), 'propose', admin(OWNER))).toBe('proposed');
    expect(checkProtocolAction(state('proposed'), 'sign', admin(OWNER))).toBe('proposed');
    expect(
      checkProtocolAction(state('proposed', { signedBy: [OWNER] }), 'sign', admin(PARTNER)),
    ).toBe('active');
    expect(checkProtocolAction(state('active'), 'suspend', admin(OWNER))).toBe('suspended');
    expect(checkProtocolAction(state('suspended'), 'amend', admin(OWNER))).toBe('proposed');
    expect(checkProtocolAction(state('active'), 'amend', admin(OWNER))).toBe('active');
    expect(checkProtocolAction(state('active'), 'revoke', admin(OWNER))).toBe('revoked');
  });

  it('lets parties sign an amendment while the signed version stays in force', () => {
    const amended = state('active', { currentVersion: 2, versionInForce: 1 });
    expect(checkProtocolAction(amended, 'sign', admin(PARTNER))).toBe('active');
  });

  // Every step the rules refuse, with who tried it.
  const refused: [
    string,
    ProtocolState,
    ProtocolAction,
    { tenantId: string; role: string },
    RegExp,
  ][] = [
    ['a partner proposing', state('draft'), 'propose', admin(PARTNER), /owns a protocol/],
    [
      'an analyst proposing',
      state('draft'),
      'propose',
      { tenantId: OWNER, role: 'analyst' },
      /LA admin/,
    ],
    ['proposing twice', state('proposed'), 'propose', admin(OWNER), /Only a draft/],
    ['signing a draft', state('draft'), 'sign', admin(PARTNER), /draft cannot be signed/],
    ['an outsider signing', state('proposed'), 'sign', admin(OUTSIDER), /not a party/],
    [
      'a headteacher signing',
      state('proposed'),
      'sign',
      { tenantId: PARTNER, role: 'headteacher' },
      /LA admin/,
    ],
    [
      'signing twice',
      state('proposed', { signedBy: [PARTNER] }),
      'sign',
      admin(PARTNER),
      /already signed/,
    ],
    ['signing what is in force', state('active'), 'sign', admin(PARTNER), /nothing waiting/],
    ['suspending a proposal', state('proposed'), 'suspend', admin(OWNER), /Only an active/],
    ['a partner revoking', state('active'), 'revoke', admin(PARTNER), /owns a protocol/],
    ['revoking a draft', state('draft'), 'revoke', admin(OWNER), /nothing to revoke/],
    ['anything after revocation', state('revoked'), 'amend', admin(OWNER), /revoked/],
    ['anything after expiry', state('expired'), 'sign', admin(PARTNER), /expired/],
    ['an outsider opting out', state('active'), 'optOut', admin(OUTSIDER), /not a party/],
  ];
  it.each(refused)('refuses %s', (_, s, action, actor, message) => {
    expect(() => checkProtocolAction(s, action, actor)).toThrow(ProtocolRuleError);
    expect(() => checkProtocolAction(s, action, actor)).toThrow(message);
  });
});
