#!/usr/bin/env node
// The npm registry reachable here lacks some platform builds (macOS, Windows, non-x64 Linux) of
// packages that ship native binaries as optional dependencies. `npm install` then leaves them out
// of package-lock.json and `npm ci` refuses the lock ("Missing: @swc/core-darwin-arm64@ from lock
// file"). This adds the entries a lock made against the full registry would have, with the
// platform constraints read from the package name, so npm ci skips them on this machine exactly as
// it would with a complete lock. Run it after `npm install`; it changes nothing when the lock is
// complete.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'aix'];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  arm: 'arm',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts
    .map((p) => CPU[p.replace(/(gnu|musl|eabihf|eabi|msvc)$/, '')] ?? CPU[p])
    .find(Boolean);
  const libc = parts.some((p) => p.startsWith('musl'))
    ? 'musl'
    : parts.includes('gnu') || parts.some((p) => p.startsWith('gnueabi'))
      ? 'glibc'
      : undefined;
  return os && cpu ? { os, cpu, libc } : null;
}

let added = 0;
for (const [where, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = where ? `${where}/node_modules/` : 'node_modules/';
    if (packages[`${base}${dep}`] || packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[`node_modules/${dep}`] = {
      version: version.replace(/^[\^~=]/, ''),
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [platform.os],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`complete-lockfile: ${added} platform entries added\n`);
