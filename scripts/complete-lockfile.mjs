// Completes package-lock.json with rollup's platform packages that the npm mirror
// on our build machines does not serve (it 404s on every @rollup/rollup-* binary
// but linux-x64-gnu and linux-arm64-gnu). npm then leaves them out of the lock,
// and `npm ci` refuses the lock as "out of sync". The entries added here carry
// only version, os, cpu and libc: npm skips them on any other platform, exactly as
// it skips the entries it writes itself. Run after `npm install` changes the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const cpus = new Set(['arm', 'arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x']);
const osAlias = { win32: 'win32', android: 'android', darwin: 'darwin', freebsd: 'freebsd', linux: 'linux', openbsd: 'openbsd', openharmony: 'openharmony' };

function platformOf(name) {
  const m = /^@rollup\/rollup-([a-z0-9]+)-([a-z0-9]+)(?:-([a-z0-9]+))?$/.exec(name);
  if (!m || !osAlias[m[1]] || !cpus.has(m[2])) return undefined;
  const [, os, cpu, abi] = m;
  const libc = abi === 'gnu' || abi === 'gnueabihf' ? 'glibc' : abi === 'musl' || abi === 'musleabihf' ? 'musl' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[key] = {
      version,
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      license: 'MIT',
      optional: true,
      os: [platform.os],
    };
    added++;
    void path;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} platform entries`);
