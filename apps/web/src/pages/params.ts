import { notFound } from '@schoolbench/graphql';

/** A URN from the address; anything else is a page that does not exist. */
export function urnParam(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw notFound('Page');
  return Number(value);
}

/** An id from the address; anything else is a page that does not exist. */
export function idParam(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw notFound('Page');
  }
  return value.toLowerCase();
}
