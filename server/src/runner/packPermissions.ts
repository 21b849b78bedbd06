/**
 * Node's permission model for a pack host: a pack is third-party code, and one rewrote the
 * store's evaluation cache (the next scan marked 6 of 7 violations fixed). A host may read the
 * pack, the node_modules Node would resolve its packages from, its compiled code and the host
 * bundle; it may start the watchdog worker thread; it may write nowhere and start no process.
 * A pack granted the environment may read everywhere (its SDKs read ~/.aws and the like) but
 * still write nowhere.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The flag this Node calls the permission model by (`--permission` from Node 22.13, before that
 * `--experimental-permission`), or undefined where it has none (an older Node, an Electron
 * without it): the host then runs without it, as before.
 */
export function permissionFlag(flags: ReadonlySet<string> = process.allowedNodeEnvironmentFlags): string | undefined {
    if (flags.has('--permission')) return '--permission';
    if (flags.has('--experimental-permission')) return '--experimental-permission';
    return undefined;
}

/** Each folder and, when it differs, its real path: `require` reads files by their real path, through symlinked node_modules. */
function withRealPaths(dirs: string[]): string[] {
    const all = new Set<string>();
    for (const dir of dirs) {
        all.add(dir);
        try {
            all.add(realpathSync(dir));
        } catch {
            /* a folder that does not exist adds nothing */
        }
    }
    return [...all];
}

/** The node_modules folders Node's resolution walks from the pack folder up to the root. */
function ancestorNodeModules(packDir: string): string[] {
    const found: string[] = [];
    for (let dir = dirname(packDir); ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules');
        if (existsSync(candidate)) found.push(candidate);
        if (dirname(dir) === dir) return found;
    }
}

/** Said with a load error the permission model caused, so the pack's author knows why. */
export const PERMISSION_HINT =
    'Policy packs run with read access to their own folder and node_modules only, and write access nowhere; a pack granted your environment (policyInsights.packs.environmentGrants, --grant-env) may read other files.';

/** Whether an error is the permission model refusing an access. */
export function isPermissionDenial(text: string): boolean {
    return /ERR_ACCESS_DENIED|Access to this API has been restricted/.test(text);
}

export interface PermissionScope {
    packDir: string;
    /** The compiled pack the host loads (in the compile cache). */
    codeFile: string;
    hostScript: string;
    /** The pack was granted the environment: it reads everywhere. */
    granted: boolean;
}

/** Node flags confining a host, or none where this Node has no permission model. */
export function permissionArgs(scope: PermissionScope, flag = permissionFlag()): string[] {
    if (!flag) return [];
    let readable = scope.granted ? ['*'] : withRealPaths([scope.packDir, join(scope.packDir, 'node_modules'), ...ancestorNodeModules(scope.packDir), dirname(scope.codeFile), dirname(scope.hostScript)]);
    // Node 20 splits --allow-fs-read at commas: such a folder cannot be named, so reads stay open there (writes do not).
    if (readable.some((dir) => dir.includes(','))) readable = ['*'];
    // The model is experimental on Node 20: its start-up warning would land in every stderr tail a crash report shows.
    return [flag, ...readable.map((dir) => `--allow-fs-read=${dir}`), '--allow-worker', '--disable-warning=ExperimentalWarning'];
}
