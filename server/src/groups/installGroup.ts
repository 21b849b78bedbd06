/**
 * `policy install-group G --dir D`: a group's pack versions as runnable pack folders with their
 * `--policy-pack-config` files, so CI can enforce the group with the real Pulumi engine
 * (`pulumi preview --policy-pack D/pack --policy-pack-config D/pack.config.json`) or with
 * `policy-insights analyze --policy-pack ...`, and get what the group's evaluation gives.
 *
 * Each folder is the published artifact (checked against its digest first): the pack bundled
 * with its own SDK. Under the engine, `run-policy-pack` requires the folder's `main` and expects
 * the pack to start; our runner requires it to read the bundled SDK and starts the pack itself.
 * The entry written here does both, so the same folder runs under either.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PolicyPackVersion } from '../shared/model';
import { verifiedArtifactDir } from '../registry/artifacts';
import type { Store } from '../store';
import { bindingsOfGroups } from './effectiveBindings';
import { GroupError } from './groupErrors';
import { findGroup } from './policyGroups';

/** The module the engine's entry starts the pack under (pulumi/pulumi sdk/nodejs/cmd/run-policy-pack). */
const ENGINE_ENTRY = 'policy-insights-engine-main.js';

export interface InstalledPack {
    name: string;
    versionTag: string;
    dir: string;
    /** The binding's config file (Pulumi's --policy-pack-config format); absent when the group sets none. */
    configFile?: string;
}

export interface InstallGroupResult {
    group: string;
    mode: string;
    packs: InstalledPack[];
    /** Packs the group names that cannot be installed (no such version, invalid config). */
    problems: string[];
    /** The `pulumi preview` line that enforces the group. */
    command: string;
}

function copyArtifact(store: Pick<Store, 'home'>, pack: PolicyPackVersion, dir: string): void {
    const from = verifiedArtifactDir(store, pack);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(from)) {
        // the manifest describes the store's read-only copy; this one is the user's to keep
        if (name !== 'manifest.json') copyFileSync(path.join(from, name), path.join(dir, name));
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(
        path.join(dir, ENGINE_ENTRY),
        [
            '// Written by `policy-insights policy install-group`: the pack is in index.js, bundled with its SDK.',
            "module.exports = require('./index.js');",
            '// run by the Pulumi engine (run-policy-pack requires this file and expects the pack to start)',
            "if (require.main && /run-policy-pack/.test(require.main.filename)) module.exports.run();",
            '',
        ].join('\n'),
    );
    // the engine's run-policy-pack comes from the pack's own node_modules: `npm install` in the folder brings it
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...manifest, main: ENGINE_ENTRY, dependencies: { '@pulumi/pulumi': '^3.0.0' } }, null, 2) + '\n');
}

/** Writes group `groupName`'s packs into `outDir` (each `<pack>` folder is replaced). @throws GroupError 'not-found' */
export async function installGroup(store: Store, groupName: string, outDir: string): Promise<InstallGroupResult> {
    const catalog = await store.readCatalog();
    const group = findGroup(catalog, groupName);
    const { bindings, unresolved } = bindingsOfGroups(catalog, [group]);
    if (!bindings.length && !unresolved.length) {
        throw new GroupError('not-found', `Policy group "${group.name}" has no policy packs; enable one with \`policy-insights policy enable <pack> latest --policy-group ${group.name}\`.`);
    }
    const root = path.resolve(outDir);
    mkdirSync(root, { recursive: true });
    const packs: InstalledPack[] = [];
    for (const b of bindings) {
        const dir = path.join(root, b.pack.name);
        copyArtifact(store, b.pack, dir);
        const installed: InstalledPack = { name: b.pack.name, versionTag: b.pack.versionTag, dir };
        const configFile = path.join(root, `${b.pack.name}.config.json`);
        if (b.config) {
            writeFileSync(configFile, JSON.stringify(b.config, null, 2) + '\n');
            installed.configFile = configFile;
        } else if (existsSync(configFile)) rmSync(configFile);
        packs.push(installed);
    }
    const rel = (p: string) => path.relative(process.cwd(), p) || '.';
    // Pulumi takes either no --policy-pack-config or one per --policy-pack: a pack the group leaves at its own levels gets an empty object
    const withConfig = packs.some((p) => p.configFile);
    for (const p of packs) {
        if (withConfig && !p.configFile) {
            p.configFile = path.join(root, `${p.name}.config.json`);
            writeFileSync(p.configFile, '{}\n');
        }
    }
    const command = ['pulumi preview', ...packs.flatMap((p) => [`--policy-pack ${rel(p.dir)}`, ...(p.configFile ? [`--policy-pack-config ${rel(p.configFile)}`] : [])])].join(' ');
    return { group: group.name, mode: group.mode, packs, problems: unresolved.map((u) => u.problem), command };
}
