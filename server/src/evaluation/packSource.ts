import type { PolicyPackVersion } from '../shared/model';
import type { Store } from '../store';

/** Where the runnable code of a published pack version is. */
export interface PackSource {
    /** A directory holding a runnable, self-contained pack (package.json + code) for `version`. */
    packDirFor(version: PolicyPackVersion): Promise<string>;
}

/**
 * The production source: the registry's verified artifact (digest checked before every
 * run). Takes the registry's function so this module does not depend on how artifacts are
 * stored: `artifactPackSource(store, verifiedArtifactDir)`.
 */
export function artifactPackSource(store: Store, verifiedArtifactDir: (store: Store, pack: PolicyPackVersion) => string | Promise<string>): PackSource {
    return { packDirFor: async (version) => verifiedArtifactDir(store, version) };
}

/** Fixed directories per `name@versionTag` (tests, and packs evaluated straight from a workspace). */
export function directoryPackSource(dirs: Record<string, string>): PackSource {
    return {
        async packDirFor(version) {
            const dir = dirs[`${version.name}@${version.versionTag}`] ?? dirs[version.name];
            if (!dir) throw new Error(`No directory for policy pack ${version.name}@${version.versionTag}.`);
            return dir;
        },
    };
}
