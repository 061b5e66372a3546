import { readFileSync } from 'node:fs';

import { LaRegister } from '../register/la-register';
import { sharedDataFile } from '../testing/shared-data-folder';
import { parseLaRegionCodes, readLaRegionCodesFile } from './la-region-codes-file';

describe('DfE la_and_region_codes_meta.csv', () => {
  it.each([
    ['dfe/national/la_and_region_codes_meta.csv'],
    ['dfe/la-815-north-yorkshire/la_and_region_codes_meta.csv'],
  ])('reads %s and maps every sub-region to one of the nine GORs', async (file) => {
    const codes = await readLaRegionCodesFile(sharedDataFile(file));
    expect(codes).toHaveLength(151);
    expect(new Set(codes.map((c) => c.region)).size).toBe(9);
    const byCode = new Map(codes.map((c) => [c.code, c]));
    expect(byCode.get(815)).toEqual({
      code: 815,
      name: 'North Yorkshire',
      subRegionCode: '10',
      subRegionName: 'North Yorkshire and The Humber',
      region: 'Yorkshire and The Humber',
    });
    expect(byCode.get(383)?.region).toBe('Yorkshire and The Humber');
    expect(byCode.get(350)).toMatchObject({ subRegionName: 'North West B', region: 'North West' });
    expect(byCode.get(202)?.region).toBe('London');
    expect(byCode.get(810)?.name).toBe('Kingston Upon Hull, City of');
    expect(byCode.get(839)).toMatchObject({ region: 'South West' });
  });

  it('agrees with the built-in register on every code, name and region in use in 2019/20', () => {
    const codes = parseLaRegionCodes(
      readFileSync(sharedDataFile('dfe/national/la_and_region_codes_meta.csv')),
    );
    const register = LaRegister.builtIn();
    const inUse = register.all('2019-09-01');
    expect(inUse.map((a) => a.code)).toEqual(codes.map((c) => c.code).sort((a, b) => a - b));
    for (const code of codes) {
      expect(register.lookup(code.code, '2019-09-01')).toMatchObject({
        name: code.name,
        region: code.region,
      });
    }
  });

  it('handles CRLF, a BOM and quoted names', () => {
    const codes = parseLaRegionCodes(
      '\uFEFFLEA,LA Name,REGION,REGION NAME\r\n801,"Bristol, City of",45,South West B\r\n',
    );
    expect(codes).toEqual([
      {
        code: 801,
        name: 'Bristol, City of',
        subRegionCode: '45',
        subRegionName: 'South West B',
        region: 'South West',
      },
    ]);
  });

  it('names the line and value it cannot use', () => {
    expect(() =>
      parseLaRegionCodes('LEA,LA Name,REGION,REGION NAME\n850,Hampshire,37,Wessex A\n'),
    ).toThrow('Line 2: region "Wessex A"');
    expect(() =>
      parseLaRegionCodes('LEA,LA Name,REGION,REGION NAME\nE1,X,1,North East A\n'),
    ).toThrow('Line 2: LEA "E1"');
    expect(() => parseLaRegionCodes('LEA,Name\n850,Hampshire\n')).toThrow(
      'no column "LA Name", "REGION", "REGION NAME"',
    );
  });
});
