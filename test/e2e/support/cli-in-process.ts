// The operator CLI under test, run in this process so that it sees the test's database settings.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { runCli } from '../../../apps/cli/src/main';

/** Runs one CLI command in this process; its exit code and everything it wrote. */
export async function runCliCapturing(args: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const capture = (chunk: string | Uint8Array) => {
    output += chunk.toString();
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    return { code: await runCli(args), output };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
