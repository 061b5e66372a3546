'use strict';
// Runs a TypeScript file of this repository in a plain node process, compiled with swc the way
// jest compiles it (@schoolbench/* paths included): `node run-typescript.js <file.ts>`. Fault
// tests use it to start a worker process they can kill.
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '../../..');
const { compilerOptions } = require(resolve(root, 'tsconfig.base.json'));

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    sourceMaps: 'inline',
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      baseUrl: root,
      paths: compilerOptions.paths,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

require(resolve(process.argv[2]));
