// The operator CLI in a process of its own, as an operator runs it beside the services. (In the
// test's own process its Nest context would replace the API's passport strategies, which are
// registered globally by name.) Usage: node run-typescript.js cli-process.ts <args…>
// eslint-disable-next-line @nx/enforce-module-boundaries
import { runCli } from '../../../apps/cli/src/main';

void runCli(process.argv.slice(3)).then((code) => {
  process.exitCode = code;
});
