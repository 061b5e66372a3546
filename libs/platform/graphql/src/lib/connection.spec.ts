import { decodeCursor, encodeCursor, pageSize } from './connection';
import { DomainError } from './domain-error';

describe('connection paging', () => {
  it('round-trips cursors', () => {
    expect(decodeCursor(encodeCursor([116001]), 1)).toEqual([116001]);
    expect(decodeCursor(encodeCursor(['a@b.c', 3]), 2)).toEqual(['a@b.c', 3]);
  });

  it.each([
    'garbage',
    encodeCursor([1, 2]),
    encodeCursor([{ x: 1 } as never]),
    Buffer.from('{').toString('base64url'),
  ])('rejects a cursor it did not issue: %s', (cursor) => {
    expect(() => decodeCursor(cursor, 1)).toThrow(DomainError);
  });

  it('caps the page size', () => {
    expect(pageSize(undefined, 100)).toBe(20);
    expect(pageSize(undefined, 10)).toBe(10);
    expect(pageSize(100, 100)).toBe(100);
    expect(() => pageSize(101, 100)).toThrow(/between 1 and 100/);
    expect(() => pageSize(0, 100)).toThrow(/between 1 and 100/);
  });
});
