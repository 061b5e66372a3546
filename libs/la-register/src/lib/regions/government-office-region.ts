/**
 * England's nine government office regions (GORs), with their ONS codes. DfE files spell some
 * of them differently ("Yorkshire and the Humber", "Eastern"); `parseGovernmentOfficeRegion`
 * accepts those spellings and always returns the names below.
 */
export const GOVERNMENT_OFFICE_REGIONS = [
  { code: 'E12000001', name: 'North East' },
  { code: 'E12000002', name: 'North West' },
  { code: 'E12000003', name: 'Yorkshire and The Humber' },
  { code: 'E12000004', name: 'East Midlands' },
  { code: 'E12000005', name: 'West Midlands' },
  { code: 'E12000006', name: 'East of England' },
  { code: 'E12000007', name: 'London' },
  { code: 'E12000008', name: 'South East' },
  { code: 'E12000009', name: 'South West' },
] as const;

export type GovernmentOfficeRegion = (typeof GOVERNMENT_OFFICE_REGIONS)[number]['name'];
export type GovernmentOfficeRegionCode = (typeof GOVERNMENT_OFFICE_REGIONS)[number]['code'];

const BY_KEY = new Map<string, GovernmentOfficeRegion>();
for (const region of GOVERNMENT_OFFICE_REGIONS) {
  BY_KEY.set(keyOf(region.name), region.name);
  BY_KEY.set(keyOf(region.code), region.name);
}
// Older or alternative spellings seen in DfE and ONS files.
BY_KEY.set(keyOf('Eastern'), 'East of England');
BY_KEY.set(keyOf('East'), 'East of England');
BY_KEY.set(keyOf('Yorkshire and Humber'), 'Yorkshire and The Humber');
BY_KEY.set(keyOf('Yorkshire & The Humber'), 'Yorkshire and The Humber');
BY_KEY.set(keyOf('Inner London'), 'London');
BY_KEY.set(keyOf('Outer London'), 'London');

// DfE's la_and_region_codes_meta.csv splits some regions into sub-regions whose names are not
// "<GOR> <letter>": Yorkshire is split in two, London in five.
const SUB_REGIONS = new Map<string, GovernmentOfficeRegion>([
  [keyOf('North Yorkshire and The Humber'), 'Yorkshire and The Humber'],
  [keyOf('South and West Yorkshire'), 'Yorkshire and The Humber'],
  [keyOf('London Central'), 'London'],
  [keyOf('London East'), 'London'],
  [keyOf('London North'), 'London'],
  [keyOf('London South'), 'London'],
  [keyOf('London West'), 'London'],
]);

function keyOf(name: string): string {
  return name.trim().toLowerCase().replace(/&/g, 'and').replace(/\s+/g, ' ');
}

export function isGovernmentOfficeRegion(name: string): name is GovernmentOfficeRegion {
  return GOVERNMENT_OFFICE_REGIONS.some((region) => region.name === name);
}

/** The region for a GOR name, code or known alternative spelling; undefined if none. */
export function parseGovernmentOfficeRegion(name: string): GovernmentOfficeRegion | undefined {
  return BY_KEY.get(keyOf(name));
}

export function governmentOfficeRegionCode(
  region: GovernmentOfficeRegion,
): GovernmentOfficeRegionCode {
  const found = GOVERNMENT_OFFICE_REGIONS.find((r) => r.name === region);
  if (!found) throw new Error(`Not a government office region: ${String(region)}`);
  return found.code;
}

/**
 * The GOR of one of DfE's sub-regions ("North West B" → North West, "South and West Yorkshire" →
 * Yorkshire and The Humber, "London Central" → London). A GOR name maps to itself.
 */
export function regionOfSubRegion(subRegionName: string): GovernmentOfficeRegion | undefined {
  const key = keyOf(subRegionName);
  const special = SUB_REGIONS.get(key);
  if (special) return special;
  const direct = BY_KEY.get(key);
  if (direct) return direct;
  // "North West B": the GOR followed by a single letter.
  const lettered = /^(.*\S)\s+[a-z]$/.exec(key);
  return lettered ? BY_KEY.get(lettered[1]) : undefined;
}
