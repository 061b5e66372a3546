import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { demoSigningSecret } from './demo.command';

describe("the demo's signing secret", () => {
  let folder: string;
  const configured = process.env.JWT_SECRET;

  beforeEach(() => {
    folder = join(mkdtempSync(join(tmpdir(), 'demo-secret-')), '.demo');
    delete process.env.JWT_SECRET;
  });
  afterEach(() => {
    rmSync(join(folder, '..'), { recursive: true, force: true });
    process.env.JWT_SECRET = configured;
  });

  it('is generated once per database, kept readable by its owner only, and reused', () => {
    const first = demoSigningSecret('postgres://app@127.0.0.1:5432/schoolbench', folder);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(demoSigningSecret('postgres://app@127.0.0.1:5432/schoolbench', folder)).toBe(first);
    expect(statSync(join(folder, 'schoolbench.jwt-secret')).mode & 0o777).toBe(0o600);
    const other = demoSigningSecret('postgres://app@127.0.0.1:5432/other_demo', folder);
    expect(other).not.toBe(first);
  });

  it('takes JWT_SECRET from the environment when it is set', () => {
    process.env.JWT_SECRET = 'e'.repeat(40);
    expect(demoSigningSecret('postgres://app@127.0.0.1:5432/schoolbench', folder)).toBe(
      'e'.repeat(40),
    );
  });
});
