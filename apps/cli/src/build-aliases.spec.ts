import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// tsc and jest resolve @schoolbench/* through tsconfig.base.json; the compiled services
// (`npm run build`, swc) through .swcrc. A library missing from .swcrc passes every test and
// then stops the built API at start with "Cannot find module".
describe('build aliases', () => {
  it('gives swc every @schoolbench/* alias that tsconfig has, with the same target', () => {
    const root = join(__dirname, '../../..');
    const tsPaths = (
      JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as {
        compilerOptions: { paths: Record<string, string[]> };
      }
    ).compilerOptions.paths;
    const swcPaths = (
      JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8')) as {
        jsc: { paths: Record<string, string[]> };
      }
    ).jsc.paths;
    const normalised = (paths: Record<string, string[]>) =>
      Object.fromEntries(
        Object.entries(paths).map(([alias, [target]]) => [alias, target.replace(/^\.\//, '')]),
      );
    expect(normalised(swcPaths)).toEqual(normalised(tsPaths));
  });
});
