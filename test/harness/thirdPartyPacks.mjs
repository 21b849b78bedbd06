// Third-party policy packs the tests and benches run unchanged, installed from npm into
// their fixture folders (test/fixtures/packs/third-party/<name>/node_modules, ignored by git)
// from the lockfile beside them. `--ignore-scripts`: old @pulumi/aws versions try to
// download their provider plugin at install, which a pack never needs and this machine
// cannot fetch. Skipped in well under a second once installed for the current lockfile.
//
//   node test/harness/thirdPartyPacks.mjs      installs every one (npm test's setup rung does this)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const THIRD_PARTY_PACKS = join(REPO, 'test', 'fixtures', 'packs', 'third-party');

/** The pack folders: one per third-party pack, each with package.json and package-lock.json. */
export function thirdPartyPackDirs() {
    return readdirSync(THIRD_PARTY_PACKS, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(join(THIRD_PARTY_PACKS, e.name, 'package-lock.json')))
        .map((e) => join(THIRD_PARTY_PACKS, e.name));
}

/** Installs one pack's dependencies unless the marker says this lockfile is already installed. */
export function ensurePackInstalled(dir) {
    const lock = readFileSync(join(dir, 'package-lock.json'));
    const digest = createHash('sha256').update(lock).digest('hex');
    const marker = join(dir, 'node_modules', '.policy-insights-installed');
    if (existsSync(marker) && readFileSync(marker, 'utf8') === digest) return false;
    const started = Date.now();
    console.log(`[third-party packs] npm ci in ${dir}`);
    const result = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    if (result.status !== 0) {
        throw new Error(`npm ci failed in ${dir} (exit ${result.status ?? result.signal}): the third-party pack fixtures need the npm registry`);
    }
    writeFileSync(marker, digest);
    console.log(`[third-party packs]   done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
}

export function ensureThirdPartyPacks() {
    for (const dir of thirdPartyPackDirs()) ensurePackInstalled(dir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureThirdPartyPacks();
