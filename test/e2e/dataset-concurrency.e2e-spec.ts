import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

import { signIn } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const DATA = join(__dirname, '../../../shared/data');
const KS2_2019 = join(DATA, 'dfe/la-850-hampshire/2018-2019_850_ks2final.csv');

/**
 * Issue 10, finding 8c: concurrent imports. Two uploads of the same file at once make one dataset
 * (the other upload is answered "unchanged"), never a 500 or a misleading "duplicate row" report;
 * two files of one series at once make both versions, exactly one of them current.
 */
describe('concurrent dataset uploads', () => {
  let api: ApiUnderTest;
  let admin: string;

  const upload = (name: string, content: Buffer) =>
    request(api.app.getHttpServer())
      .post('/api/datasets')
      .set('Authorization', `Bearer ${admin}`)
      .attach('file', content, name);

  /** The KS2 file with one school's RWM figure changed: the same series, different bytes. */
  function corrected(original: string, percent: number): Buffer {
    const lines = original.split('\r\n');
    const header = lines[0].replace(/^\uFEFF/, '').split(',');
    const column = header.indexOf('PTRWM_EXP');
    const row = lines.findIndex(
      (l, i) => i > 0 && /^1,/.test(l) && /^\d+%$/.test(l.split(',')[column] ?? ''),
    );
    const cells = lines[row].split(',');
    cells[column] = `${percent}%`;
    lines[row] = cells.join(',');
    return Buffer.from(lines.join('\r\n'), 'latin1');
  }

  beforeAll(async () => {
    api = await startApiUnderTest({ UPLOAD_MAX_BYTES: String(2 * 1024 * 1024) });
    admin = await signIn(api.app, api.a.users.la_admin!.email, api.a.users.la_admin!.password);
  });
  afterAll(() => api.close());

  it('imports the same file uploaded twice at once as one dataset; the other upload changes nothing', async () => {
    const bytes = readFileSync(KS2_2019);
    // Two real imports of a full DfE file, serialised by design: slow on a loaded machine.
    const [one, two] = await Promise.all([
      upload('2018-2019_850_ks2final.csv', bytes),
      upload('2018-2019_850_ks2final.csv', bytes),
    ]);
    expect([one.status, two.status].sort()).toEqual([200, 201]);
    expect(one.body.dataset.id).toBe(two.body.dataset.id);
    expect([one.body.unchanged, two.body.unchanged].sort()).toEqual([false, true]);
    const rows = await api.db.query<{ status: string }>(
      `select status from datasets where tenant_id = $1 and file_name = '2018-2019_850_ks2final.csv'`,
      [api.a.id],
    );
    expect(rows).toEqual([{ status: 'published' }]);

    // And once more, afterwards: unchanged, not a 500.
    const again = await upload('2018-2019_850_ks2final.csv', bytes);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ unchanged: true, dataset: { id: one.body.dataset.id } });
  }, 300_000);

  it('publishes two files of one series uploaded at once as two versions, one current', async () => {
    const original = readFileSync(KS2_2019, 'latin1');
    const [one, two] = await Promise.all([
      upload('2018-2019_850_ks2final.csv', corrected(original, 97)),
      upload('2018-2019_850_ks2final.csv', corrected(original, 98)),
    ]);
    expect([one.status, two.status]).toEqual([201, 201]);
    const versions = await api.db.query<{ id: string; version: number; is_current: boolean }>(
      `select id, version, is_current from datasets
       where tenant_id = $1 and status = 'published' and file_name = '2018-2019_850_ks2final.csv'
       order by version`,
      [api.a.id],
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(versions.filter((v) => v.is_current)).toEqual([versions[2]]);
    expect([one.body.dataset.id, two.body.dataset.id].sort()).toEqual(
      [versions[1].id, versions[2].id].sort(),
    );
  }, 300_000);
});
