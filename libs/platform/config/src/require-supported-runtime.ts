// Imported first by every entry point (API, worker, CLI), so that an unsupported Node.js stops
// with a message before any native module is loaded (argon2's prebuilt binary crashes Node 20).
import { exitUnlessSupportedRuntime } from './lib/supported-runtime';

exitUnlessSupportedRuntime();
