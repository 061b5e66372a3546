import type { ColumnDefinition } from '../model/observation';
import { readCell } from './cell-value';
import { classifyDefinition, DFE_SPECIAL_VALUES, resolveSpecialValue } from './special-values';

const codes = new Set(Object.keys(DFE_SPECIAL_VALUES));

describe('readCell', () => {
  it.each([
    ['93%', { kind: 'number', value: 93, hadPercentSign: true }],
    ['51.30%', { kind: 'number', value: 51.3, hadPercentSign: true }],
    ['1,234', { kind: 'number', value: 1234, hadPercentSign: false }],
    ['-7,794', { kind: 'number', value: -7794, hadPercentSign: false }],
    ['-0.5', { kind: 'number', value: -0.5, hadPercentSign: false }],
    [' 213597', { kind: 'number', value: 213597, hadPercentSign: false }],
    ['£2,612', { kind: 'number', value: 2612, hadPercentSign: false }],
    ['', { kind: 'blank' }],
    [' ', { kind: 'blank' }],
    ['SUPP', { kind: 'code', token: 'SUPP' }],
    ['NA ', { kind: 'code', token: 'NA' }],
    ['-   ', { kind: 'code', token: '-' }],
    ['LOWCOV', { kind: 'code', token: 'LOWCOV' }],
    ['SUPP!', { kind: 'code', token: 'SUPP!' }],
    ['12,34', { kind: 'invalid', raw: '12,34' }],
    ['Hampshire', { kind: 'invalid', raw: 'Hampshire' }],
    ['1e5', { kind: 'invalid', raw: '1e5' }],
    ['=1+1', { kind: 'invalid', raw: '=1+1' }],
  ])('%j', (raw, expected) => {
    expect(readCell(raw, codes)).toEqual(expected);
  });
});

const definition = (overrides: Partial<ColumnDefinition> = {}): ColumnDefinition => ({
  column: 'X',
  label: 'x',
  nullFor: [],
  specialValues: {},
  ...overrides,
});

describe('DfE codes to EES symbols', () => {
  it.each([
    ['SUPP', undefined, 'school', 'c'],
    ['LOWCOV', undefined, 'school', 'u'],
    ['NP', undefined, 'school', 'x'],
    ['NE', undefined, 'school', 'z'],
    ['NA', undefined, 'school', 'z'],
    ['NEW', undefined, 'school', 'z'],
    // The file's own definition wins over DfE's general key.
    ['NA', definition({ specialValues: { NA: 'Not available' } }), 'school', 'x'],
    ['NE', definition({ specialValues: { NE: 'Not published for this school' } }), 'school', 'x'],
    // A field empty by design on LA rows is not applicable there.
    ['NA', definition({ nullFor: ['local_authority'] }), 'local_authority', 'z'],
    ['Hampshire', undefined, 'school', null],
  ] as const)('%s (%j, %s) → %s', (token, def, recordType, expected) => {
    expect(resolveSpecialValue(token, def, recordType)).toBe(expected);
  });

  it('classifies free-text definitions', () => {
    expect(classifyDefinition('New school with no eligible pupils')).toBe('z');
    expect(classifyDefinition('Data suppressed to protect confidentiality')).toBe('c');
    expect(classifyDefinition('Figures not available')).toBe('x');
    expect(classifyDefinition('Low coverage')).toBe('u');
    expect(classifyDefinition('Percentage of pupils')).toBeNull();
  });
});
