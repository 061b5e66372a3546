import type { GovernmentOfficeRegion } from '../regions/government-office-region';

/**
 * One local authority code as DfE uses it. `validFrom`/`validTo` are ISO dates, both inclusive;
 * null means "before this register starts" or "still in use". An authority that was abolished
 * lists the codes that took over its schools in `successors`.
 */
export interface LocalAuthority {
  readonly code: number;
  readonly name: string;
  readonly region: GovernmentOfficeRegion;
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly successors: readonly number[];
}

/**
 * Bumped whenever the data below changes: the date of the latest reorganisation it records.
 * Comparison runs store it so a later change of the register is visible in their provenance.
 */
export const LA_REGISTER_VERSION = '2023-04-01';

// Authorities whose code, name and region have not changed since April 2009. Names as DfE's
// la_and_region_codes_meta.csv (2019/20) spells them.
const UNCHANGED: readonly (readonly [
  GovernmentOfficeRegion,
  readonly (readonly [number, string])[],
])[] = [
  [
    'North East',
    [
      [390, 'Gateshead'],
      [391, 'Newcastle upon Tyne'],
      [392, 'North Tyneside'],
      [393, 'South Tyneside'],
      [394, 'Sunderland'],
      [805, 'Hartlepool'],
      [806, 'Middlesbrough'],
      [807, 'Redcar and Cleveland'],
      [808, 'Stockton-on-Tees'],
      [840, 'County Durham'],
      [841, 'Darlington'],
      [929, 'Northumberland'],
    ],
  ],
  [
    'North West',
    [
      [340, 'Knowsley'],
      [341, 'Liverpool'],
      [342, 'St. Helens'],
      [343, 'Sefton'],
      [344, 'Wirral'],
      [350, 'Bolton'],
      [351, 'Bury'],
      [352, 'Manchester'],
      [353, 'Oldham'],
      [354, 'Rochdale'],
      [355, 'Salford'],
      [356, 'Stockport'],
      [357, 'Tameside'],
      [358, 'Trafford'],
      [359, 'Wigan'],
      [876, 'Halton'],
      [877, 'Warrington'],
      [888, 'Lancashire'],
      [889, 'Blackburn with Darwen'],
      [890, 'Blackpool'],
    ],
  ],
  [
    'Yorkshire and The Humber',
    [
      [370, 'Barnsley'],
      [371, 'Doncaster'],
      [372, 'Rotherham'],
      [373, 'Sheffield'],
      [380, 'Bradford'],
      [381, 'Calderdale'],
      [382, 'Kirklees'],
      [383, 'Leeds'],
      [384, 'Wakefield'],
      [810, 'Kingston Upon Hull, City of'],
      [811, 'East Riding of Yorkshire'],
      [812, 'North East Lincolnshire'],
      [813, 'North Lincolnshire'],
      [815, 'North Yorkshire'],
      [816, 'York'],
    ],
  ],
  [
    'East Midlands',
    [
      [830, 'Derbyshire'],
      [831, 'Derby'],
      [855, 'Leicestershire'],
      [856, 'Leicester'],
      [857, 'Rutland'],
      [891, 'Nottinghamshire'],
      [892, 'Nottingham'],
      [925, 'Lincolnshire'],
    ],
  ],
  [
    'West Midlands',
    [
      [330, 'Birmingham'],
      [331, 'Coventry'],
      [332, 'Dudley'],
      [333, 'Sandwell'],
      [334, 'Solihull'],
      [335, 'Walsall'],
      [336, 'Wolverhampton'],
      [860, 'Staffordshire'],
      [861, 'Stoke-on-Trent'],
      [884, 'Herefordshire, County of'],
      [885, 'Worcestershire'],
      [893, 'Shropshire'],
      [894, 'Telford and Wrekin'],
      [937, 'Warwickshire'],
    ],
  ],
  [
    'East of England',
    [
      [821, 'Luton'],
      [873, 'Cambridgeshire'],
      [874, 'Peterborough'],
      [881, 'Essex'],
      [882, 'Southend-on-Sea'],
      [883, 'Thurrock'],
      [919, 'Hertfordshire'],
      [926, 'Norfolk'],
      [935, 'Suffolk'],
    ],
  ],
  [
    'London',
    [
      [201, 'City of London'],
      [202, 'Camden'],
      [203, 'Greenwich'],
      [204, 'Hackney'],
      [205, 'Hammersmith and Fulham'],
      [206, 'Islington'],
      [207, 'Kensington and Chelsea'],
      [208, 'Lambeth'],
      [209, 'Lewisham'],
      [210, 'Southwark'],
      [211, 'Tower Hamlets'],
      [212, 'Wandsworth'],
      [213, 'Westminster'],
      [301, 'Barking and Dagenham'],
      [302, 'Barnet'],
      [303, 'Bexley'],
      [304, 'Brent'],
      [305, 'Bromley'],
      [306, 'Croydon'],
      [307, 'Ealing'],
      [308, 'Enfield'],
      [309, 'Haringey'],
      [310, 'Harrow'],
      [311, 'Havering'],
      [312, 'Hillingdon'],
      [313, 'Hounslow'],
      [314, 'Kingston upon Thames'],
      [315, 'Merton'],
      [316, 'Newham'],
      [317, 'Redbridge'],
      [318, 'Richmond upon Thames'],
      [319, 'Sutton'],
      [320, 'Waltham Forest'],
    ],
  ],
  [
    'South East',
    [
      [825, 'Buckinghamshire'],
      [826, 'Milton Keynes'],
      [845, 'East Sussex'],
      [846, 'Brighton and Hove'],
      [850, 'Hampshire'],
      [851, 'Portsmouth'],
      [852, 'Southampton'],
      [867, 'Bracknell Forest'],
      [868, 'Windsor and Maidenhead'],
      [869, 'West Berkshire'],
      [870, 'Reading'],
      [871, 'Slough'],
      [872, 'Wokingham'],
      [886, 'Kent'],
      [887, 'Medway'],
      [921, 'Isle of Wight'],
      [931, 'Oxfordshire'],
      [936, 'Surrey'],
      [938, 'West Sussex'],
    ],
  ],
  [
    'South West',
    [
      [420, 'Isles of Scilly'],
      [800, 'Bath and North East Somerset'],
      [801, 'Bristol, City of'],
      [802, 'North Somerset'],
      [803, 'South Gloucestershire'],
      [865, 'Wiltshire'],
      [866, 'Swindon'],
      [878, 'Devon'],
      [879, 'Plymouth'],
      [880, 'Torbay'],
      [908, 'Cornwall'],
      [916, 'Gloucestershire'],
      [933, 'Somerset'],
    ],
  ],
];

// Reorganisations. Sources: the statutory instruments creating each unitary authority, and
// DfE's own files: the 2018/19 census still uses 835/836/837, its 2019/20 code list has 838/839.
const REORGANISED: readonly LocalAuthority[] = [
  // Bedfordshire and Cheshire split into two unitary authorities each, 1 April 2009.
  la(820, 'Bedfordshire', 'East of England', null, '2009-03-31', [822, 823]),
  la(822, 'Bedford', 'East of England', '2009-04-01', null),
  la(823, 'Central Bedfordshire', 'East of England', '2009-04-01', null),
  la(875, 'Cheshire', 'North West', null, '2009-03-31', [895, 896]),
  la(895, 'Cheshire East', 'North West', '2009-04-01', null),
  la(896, 'Cheshire West & Chester', 'North West', '2009-04-01', null),
  // Dorset, Poole and Bournemouth became Dorset and BCP, 1 April 2019. Christchurch (in the old
  // Dorset) went to BCP, so 835 has both successors.
  la(835, 'Dorset', 'South West', null, '2019-03-31', [838, 839]),
  la(836, 'Poole', 'South West', null, '2019-03-31', [839]),
  la(837, 'Bournemouth', 'South West', null, '2019-03-31', [839]),
  la(838, 'Dorset', 'South West', '2019-04-01', null),
  la(839, 'Bournemouth, Christchurch and Poole', 'South West', '2019-04-01', null),
  // Northamptonshire split, 1 April 2021.
  la(928, 'Northamptonshire', 'East Midlands', null, '2021-03-31', [940, 941]),
  la(940, 'North Northamptonshire', 'East Midlands', '2021-04-01', null),
  la(941, 'West Northamptonshire', 'East Midlands', '2021-04-01', null),
  // Cumbria split, 1 April 2023. North Yorkshire (815) and Somerset (933) became unitary the
  // same day but kept their codes, as Buckinghamshire (825) did in 2020.
  la(909, 'Cumbria', 'North West', null, '2023-03-31', [942, 943]),
  la(942, 'Cumberland', 'North West', '2023-04-01', null),
  la(943, 'Westmorland and Furness', 'North West', '2023-04-01', null),
];

function la(
  code: number,
  name: string,
  region: GovernmentOfficeRegion,
  validFrom: string | null,
  validTo: string | null,
  successors: readonly number[] = [],
): LocalAuthority {
  return { code, name, region, validFrom, validTo, successors };
}

export const BUILT_IN_LOCAL_AUTHORITIES: readonly LocalAuthority[] = [
  ...UNCHANGED.flatMap(([region, authorities]) =>
    authorities.map(([code, name]) => la(code, name, region, null, null)),
  ),
  ...REORGANISED,
].sort((a, b) => a.code - b.code);
