import type { GovernmentOfficeRegion } from '../regions/government-office-region';
import {
  BUILT_IN_LOCAL_AUTHORITIES,
  LA_REGISTER_VERSION,
  type LocalAuthority,
} from './built-in-local-authorities';

/** A DfE LA code as files give it: 850, "850" or " 850 ". */
export type LaCodeInput = number | string;

export class LaRegisterError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'LaRegisterError';
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The three-digit DfE code, or undefined when the input is not one. */
export function parseLaCode(input: LaCodeInput): number | undefined {
  const text = typeof input === 'number' ? String(input) : input.trim();
  if (!/^\d{3}$/.test(text)) return undefined;
  return Number(text);
}

function isoDate(onDate: Date | string): string {
  if (typeof onDate === 'string') {
    if (!ISO_DATE.test(onDate))
      throw new LaRegisterError(`Not an ISO date (YYYY-MM-DD): ${onDate}`);
    return onDate;
  }
  if (Number.isNaN(onDate.getTime())) throw new LaRegisterError('Invalid date');
  return onDate.toISOString().slice(0, 10);
}

function validOn(authority: LocalAuthority, day: string): boolean {
  // ISO dates compare correctly as strings.
  return (
    (authority.validFrom === null || authority.validFrom <= day) &&
    (authority.validTo === null || day <= authority.validTo)
  );
}

/**
 * Local authorities by DfE code, with the region each belongs to and the codes that replaced
 * abolished ones. Old files keep old codes, so a code stays known after it stops being valid.
 */
export class LaRegister {
  private readonly byCode: ReadonlyMap<number, LocalAuthority>;

  constructor(
    authorities: readonly LocalAuthority[],
    readonly version: string,
  ) {
    const byCode = new Map<number, LocalAuthority>();
    for (const authority of authorities) {
      if (byCode.has(authority.code)) {
        throw new LaRegisterError(`LA code ${authority.code} appears twice in the register`);
      }
      byCode.set(authority.code, authority);
    }
    for (const authority of authorities) {
      for (const successor of authority.successors) {
        if (!byCode.has(successor)) {
          throw new LaRegisterError(`LA ${authority.code} names unknown successor ${successor}`);
        }
      }
    }
    this.byCode = byCode;
  }

  /** The register shipped with SchoolBench (see `LA_REGISTER_VERSION`). */
  static builtIn(): LaRegister {
    return new LaRegister(BUILT_IN_LOCAL_AUTHORITIES, LA_REGISTER_VERSION);
  }

  /**
   * This register with authorities from a newer code list added or renamed (e.g. DfE's
   * la_and_region_codes_meta.csv). Dates and successors of known codes are kept.
   */
  withAuthorities(
    authorities: readonly Pick<LocalAuthority, 'code' | 'name' | 'region'>[],
    version: string,
  ): LaRegister {
    const merged = new Map(this.byCode);
    for (const { code, name, region } of authorities) {
      const known = merged.get(code);
      merged.set(
        code,
        known
          ? { ...known, name, region }
          : { code, name, region, validFrom: null, validTo: null, successors: [] },
      );
    }
    return new LaRegister([...merged.values()], version);
  }

  /** Known at any date, including codes that have since been replaced. */
  isKnown(code: LaCodeInput): boolean {
    const parsed = parseLaCode(code);
    return parsed !== undefined && this.byCode.has(parsed);
  }

  /**
   * The authority with this code; with `onDate`, only if the code was in use on that day
   * (a replaced code then gives undefined: see `currentCodes`).
   */
  lookup(code: LaCodeInput, onDate?: Date | string): LocalAuthority | undefined {
    const parsed = parseLaCode(code);
    const authority = parsed === undefined ? undefined : this.byCode.get(parsed);
    if (!authority || onDate === undefined) return authority;
    return validOn(authority, isoDate(onDate)) ? authority : undefined;
  }

  /** The GOR of a code, old or new; a region does not change when codes do. */
  regionOf(code: LaCodeInput): GovernmentOfficeRegion | undefined {
    return this.lookup(code)?.region;
  }

  /**
   * The codes in use on `onDate` that cover the schools of `code`: the code itself while valid,
   * else its successors, followed through later reorganisations. Empty for an unknown code or
   * a date before the code existed.
   */
  currentCodes(code: LaCodeInput, onDate: Date | string): number[] {
    const day = isoDate(onDate);
    const start = this.lookup(code);
    if (!start) return [];
    const found = new Set<number>();
    const visit = (authority: LocalAuthority): void => {
      if (validOn(authority, day)) {
        found.add(authority.code);
        return;
      }
      if (authority.validTo !== null && authority.validTo < day) {
        for (const successor of authority.successors) {
          const next = this.byCode.get(successor);
          if (next) visit(next);
        }
      }
    };
    visit(start);
    return [...found].sort((a, b) => a - b);
  }

  /** Every authority, or those in use on `onDate`, by ascending code. */
  all(onDate?: Date | string): LocalAuthority[] {
    const day = onDate === undefined ? undefined : isoDate(onDate);
    return [...this.byCode.values()]
      .filter((authority) => day === undefined || validOn(authority, day))
      .sort((a, b) => a.code - b.code);
  }
}
