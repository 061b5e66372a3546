import {
  identifiesMember,
  parseClubPeriod,
  quartileOf,
  withheldReason,
  type MemberViewer,
} from './club-rules';

describe('parseClubPeriod', () => {
  it.each([
    ['201819', 201819],
    ['2018/19', 201819],
    ['2018-19', 201819],
    [' 199900 ', 199900],
  ])('reads %p as %p', (text, period) => {
    expect(parseClubPeriod(text)).toBe(period);
  });

  it.each(['2018/20', '2018', '20181', 'last year', '2018/19/20', ''])('refuses %p', (text) => {
    expect(parseClubPeriod(text)).toBeNull();
  });
});

describe('identifiesMember', () => {
  const analyst: MemberViewer = { coordinates: false, schoolBound: false, schoolUrn: null };
  const coordinator: MemberViewer = { coordinates: true, schoolBound: false, schoolUrn: null };
  const head: MemberViewer = { coordinates: false, schoolBound: true, schoolUrn: 116101 };
  const coordinatorsHead: MemberViewer = {
    coordinates: true,
    schoolBound: true,
    schoolUrn: 116101,
  };

  it('always identifies own schools to authority staff', () => {
    expect(identifiesMember(analyst, { urn: 1, isOwn: true }, 'aggregate')).toBe(true);
  });

  it("identifies partners' schools only under a named protocol", () => {
    expect(identifiesMember(analyst, { urn: 2, isOwn: false }, 'named')).toBe(true);
    expect(identifiesMember(analyst, { urn: 2, isOwn: false }, 'pseudonymised')).toBe(false);
    expect(identifiesMember(analyst, { urn: 2, isOwn: false }, 'aggregate')).toBe(false);
    expect(identifiesMember(analyst, { urn: 2, isOwn: false }, null)).toBe(false);
  });

  it("shows the coordinating authority's staff every member, since they manage the list", () => {
    expect(identifiesMember(coordinator, { urn: 2, isOwn: false }, 'aggregate')).toBe(true);
    expect(identifiesMember(coordinatorsHead, { urn: 2, isOwn: false }, 'aggregate')).toBe(false);
  });

  it('shows a headteacher their own school, and other schools as a partner would see them', () => {
    expect(identifiesMember(head, { urn: 116101, isOwn: true }, 'aggregate')).toBe(true);
    expect(identifiesMember(head, { urn: 116102, isOwn: true }, 'pseudonymised')).toBe(false);
    expect(identifiesMember(head, { urn: 116102, isOwn: true }, 'named')).toBe(true);
    expect(identifiesMember(head, { urn: 121101, isOwn: false }, 'named')).toBe(true);
  });
});

describe('quartileOf', () => {
  const q = { q1: 48, median: 50, q3: 52 };

  it.each([
    [40, 1],
    [48, 1],
    [49, 2],
    [50, 2],
    [52, 3],
    [60, 4],
  ])('puts %p in quartile %p', (value, quartile) => {
    expect(quartileOf(value, q)).toBe(quartile);
  });

  it('has no quartile without a value or with withheld quartiles', () => {
    expect(quartileOf(null, q)).toBeNull();
    expect(quartileOf(50, { q1: null, median: null, q3: null })).toBeNull();
  });
});

describe('withheldReason', () => {
  const shown = {
    inForce: true,
    inScope: true,
    partnerN: 3,
    minGroupSize: 3,
    quartilesShown: true,
  };

  it('gives no reason when the quartiles are shown', () => {
    expect(withheldReason(shown)).toBeNull();
  });

  it('says why, most fundamental reason first', () => {
    expect(withheldReason({ ...shown, quartilesShown: false, inForce: false })).toMatch(
      /not in force/,
    );
    expect(withheldReason({ ...shown, quartilesShown: false, inScope: false })).toMatch(
      /outside the club’s protocol/,
    );
    expect(withheldReason({ ...shown, quartilesShown: false, partnerN: 1 })).toBe(
      'Only 1 partner school has a value; the protocol needs at least 3 before showing quartiles',
    );
    expect(
      withheldReason({ ...shown, quartilesShown: false, partnerN: 2, minGroupSize: 5 }),
    ).toMatch(/Only 2 partner schools have a value; the protocol needs at least 5/);
  });
});
