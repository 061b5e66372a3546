/**
 * The lifecycle of a data-sharing protocol (SPEC §6), as rules the service checks before it
 * writes and the database re-checks when it signs and compiles grants.
 *
 *   draft ──propose──▶ proposed ──(every party signed)──▶ active ──suspend──▶ suspended
 *     │                   │                                 │                    │
 *     └──amend (new draft version)       amend (new version to sign; the signed one stays in force)
 *                         └───────────── revoke ───────────┴──────── revoke ────┘  ▶ revoked
 *   proposed | active ──(valid_to passed, scheduled job or next settle)──▶ expired
 */
export const PROTOCOL_STATUSES = [
  'draft',
  'proposed',
  'active',
  'suspended',
  'revoked',
  'expired',
] as const;
export type ProtocolStatus = (typeof PROTOCOL_STATUSES)[number];

export const PROTOCOL_ACTIONS = [
  'propose',
  'sign',
  'amend',
  'suspend',
  'revoke',
  'optOut',
] as const;
export type ProtocolAction = (typeof PROTOCOL_ACTIONS)[number];

/** A lifecycle step the rules refuse: the message says why and what to do instead. */
export class ProtocolRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolRuleError';
  }
}

export interface ProtocolState {
  status: ProtocolStatus;
  /** The latest version. */
  currentVersion: number;
  /** The version whose grants are in force; only while active. */
  versionInForce: number | null;
  ownerTenantId: string;
  /** Parties of the current version, the owner included. */
  parties: readonly string[];
  /** Tenants that signed the current version. */
  signedBy: readonly string[];
}

export interface ProtocolActor {
  tenantId: string;
  role: string;
}

const FINISHED: readonly ProtocolStatus[] = ['revoked', 'expired'];

/**
 * Checks that `actor` may take `action` on a protocol in `state`, and returns the status the
 * protocol has right after it (before time rules and signatures are settled in the database).
 */
export function checkProtocolAction(
  state: ProtocolState,
  action: ProtocolAction,
  actor: ProtocolActor,
): ProtocolStatus {
  const isOwner = actor.tenantId === state.ownerTenantId;
  const isParty = state.parties.includes(actor.tenantId);
  if (FINISHED.includes(state.status)) {
    throw new ProtocolRuleError(
      `This protocol is ${state.status}: nothing more can be done with it. Create a new protocol instead.`,
    );
  }
  switch (action) {
    case 'propose':
      requireOwnerAdmin(isOwner, actor, 'propose');
      if (state.status !== 'draft') {
        throw new ProtocolRuleError(
          `Only a draft can be proposed; this protocol is already ${state.status}.`,
        );
      }
      return 'proposed';
    case 'sign': {
      if (!isParty) {
        throw new ProtocolRuleError(
          'Your authority is not a party to this protocol, so it cannot sign it.',
        );
      }
      if (actor.role !== 'la_admin') {
        throw new ProtocolRuleError('Only an LA admin signs a protocol, for their own authority.');
      }
      const awaitingSignatures =
        state.status === 'proposed' ||
        (state.status === 'active' && state.versionInForce !== state.currentVersion);
      if (!awaitingSignatures) {
        throw new ProtocolRuleError(
          state.status === 'draft'
            ? 'A draft cannot be signed: the owner proposes it first.'
            : `A ${state.status} protocol has nothing waiting to be signed.`,
        );
      }
      if (state.signedBy.includes(actor.tenantId)) {
        throw new ProtocolRuleError(
          `Your authority has already signed version ${state.currentVersion}.`,
        );
      }
      const everyone = state.parties.every(
        (p) => p === actor.tenantId || state.signedBy.includes(p),
      );
      return everyone ? 'active' : state.status;
    }
    case 'amend':
      requireOwnerAdmin(isOwner, actor, 'amend');
      // An amendment of a suspended protocol needs every signature before anything is shared again.
      return state.status === 'suspended' ? 'proposed' : state.status;
    case 'suspend':
      requireOwnerAdmin(isOwner, actor, 'suspend');
      if (state.status !== 'active') {
        throw new ProtocolRuleError(
          `Only an active protocol can be suspended; this one is ${state.status}.`,
        );
      }
      return 'suspended';
    case 'revoke':
      requireOwnerAdmin(isOwner, actor, 'revoke');
      if (state.status === 'draft') {
        throw new ProtocolRuleError(
          'A draft has never been in force: there is nothing to revoke. Leave it unproposed.',
        );
      }
      return 'revoked';
    case 'optOut':
      if (!isParty) {
        throw new ProtocolRuleError(
          'The school’s authority is not a party to this protocol: its data is not shared under it.',
        );
      }
      return state.status;
  }
}

function requireOwnerAdmin(isOwner: boolean, actor: ProtocolActor, verb: string): void {
  if (!isOwner) {
    throw new ProtocolRuleError(
      `Only the authority that owns a protocol can ${verb} it; ask its LA admin.`,
    );
  }
  if (actor.role !== 'la_admin') {
    throw new ProtocolRuleError(`Only an LA admin can ${verb} a protocol.`);
  }
}
