import { decodeText } from '../bytes/text-decoding';
import { ProblemLog } from '../problems/problem';
import { csvRecords } from './csv-records';

async function records(bytes: Uint8Array | string) {
  const problems = new ProblemLog('test.csv');
  const decoded = decodeText(bytes, { problems });
  const out = [];
  for await (const r of csvRecords(decoded, problems)) out.push(r);
  return { records: out, problems: problems.drain(), state: decoded.state };
}

describe('csvRecords', () => {
  it('strips the BOM, turns CRLF into LF and numbers lines from the header', async () => {
    const { records: rows, state } = await records('\uFEFFa,b\r\n1,"x, y"\r\n2,3');
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', 'x, y'] },
      { line: 3, cells: ['2', '3'] },
    ]);
    expect(state.hadBom).toBe(true);
    expect(state.endsWithLineBreak).toBe(false);
  });

  it('counts lines of a quoted cell spanning CRLF lines once', async () => {
    const { records: rows } = await records('a,b\r\n1,"x\r\ny"\r\n2,3\r\n');
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4]);
  });

  it('reports an unclosed quote as a truncated row', async () => {
    const { problems } = await records('a,b\n1,2\n3,"cut off');
    expect(problems).toEqual([expect.objectContaining({ rule: 'truncated_row', line: 3 })]);
  });

  it('reads Windows-1252 text when the bytes are not UTF-8', async () => {
    const bytes = Buffer.from([0x61, 0x0a, 0x53, 0x74, 0x20, 0x96, 0x20, 0x41, 0x0a]);
    const { records: rows, problems, state } = await records(bytes);
    expect(rows[1]?.cells).toEqual(['St \u2013 A']);
    expect(state.encoding).toBe('windows-1252');
    expect(problems.map((p) => p.rule)).toEqual(['decoded_as_windows_1252']);
  });

  it('rejects binary files and files mixing UTF-8 with other bytes', async () => {
    const zip = await records(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]));
    expect(zip.problems.map((p) => p.rule)).toEqual(['binary_file']);
    const mixed = await records(Buffer.concat([Buffer.from('a\n£1\n'), Buffer.from([0x96, 0x0a])]));
    expect(mixed.problems).toEqual([expect.objectContaining({ rule: 'wrong_encoding', line: 3 })]);
  });

  it('hashes the bytes as uploaded', async () => {
    const { state } = await records('a,b\n1,2\n');
    // printf 'a,b\n1,2\n' | sha256sum
    expect(state.contentHash).toBe(
      '492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470',
    );
  });
});
