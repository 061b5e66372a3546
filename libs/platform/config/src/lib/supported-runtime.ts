/**
 * The Node.js major the project is built, tested and supported on. `npm ci` installs exactly
 * this runtime from the npm registry (the `node` dev dependency), and `npm run` puts it first on
 * PATH, so every script and service runs on it whatever Node the machine has.
 */
export const SUPPORTED_NODE_MAJOR = 24;

/** Why this runtime cannot run SchoolBench, or null when it can. */
export function unsupportedRuntime(version: string = process.versions.node): string | null {
  const major = Number(version.split('.')[0]);
  if (major === SUPPORTED_NODE_MAJOR) return null;
  return (
    `SchoolBench runs on Node.js ${SUPPORTED_NODE_MAJOR} LTS; this is Node.js ${version}. ` +
    'Start it through npm (npm run demo, npm run start:api, npm run cli …), which uses the ' +
    `Node.js ${SUPPORTED_NODE_MAJOR} that npm ci installed in node_modules/.bin.`
  );
}

/** Exits at once on an unsupported runtime, before anything connects. */
export function exitUnlessSupportedRuntime(): void {
  const problem = unsupportedRuntime();
  if (problem !== null) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
