import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SUPPORTED_NODE_MAJOR, unsupportedRuntime } from './supported-runtime';

const rootPackage = JSON.parse(
  readFileSync(join(__dirname, '../../../../../package.json'), 'utf8'),
) as { engines: { node: string }; devDependencies: Record<string, string> };

describe('supported runtime', () => {
  it('runs this test process on the supported Node.js major (CI proves the pinned runtime)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(SUPPORTED_NODE_MAJOR);
    expect(unsupportedRuntime()).toBeNull();
  });

  it('pins the same major as the node dev dependency and engines', () => {
    expect(rootPackage.devDependencies.node.split('.')[0]).toBe(String(SUPPORTED_NODE_MAJOR));
    expect(rootPackage.engines.node).toMatch(new RegExp(`^>=${SUPPORTED_NODE_MAJOR}\\.`));
  });

  it('names the runtime found and how to start on the supported one', () => {
    expect(unsupportedRuntime('20.20.2')).toMatch(/Node\.js 24 LTS; this is Node\.js 20\.20\.2/);
    expect(unsupportedRuntime('26.1.0')).toMatch(/npm run/);
    expect(unsupportedRuntime('24.21.0')).toBeNull();
  });
});
