import { SCHEMA_VERSION } from './schema';
import { StoreError } from './storeError';
import { errorMessage } from '../shared/errors';

/** Turns a file's content at `fromVersion` into content at `fromVersion + 1`. */
export type Migration = (data: Record<string, unknown>, file: string) => Record<string, unknown>;

const migrations = new Map<number, Migration>();

/**
 * Registers the step that upgrades a file from `fromVersion` to `fromVersion + 1`.
 * Steps run on read, in order, whenever a file's `schemaVersion` is older than
 * SCHEMA_VERSION; the store then writes the file back at the current version (the old
 * content stays in `<file>.bak`). `file` tells catalog.json from a shard. A step may
 * change `data` in place or return new content; the store sets `schemaVersion` itself.
 * Registering a version again replaces the earlier step.
 */
export function registerMigration(fromVersion: number, migrate: Migration): void {
    if (!Number.isInteger(fromVersion) || fromVersion < 0 || fromVersion >= SCHEMA_VERSION) {
        throw new RangeError(`registerMigration: fromVersion must be an integer from 0 to ${SCHEMA_VERSION - 1}, not ${fromVersion}`);
    }
    migrations.set(fromVersion, migrate);
}

// Files written before versioning carry no schemaVersion. Their fields are those of
// version 1; the normalizers fill in any that are missing.
registerMigration(0, (data) => data);
// Version 2 splits each shard into a resources file and a violations file. That takes two
// files, so the step itself changes nothing: a version 1 shard's violations and scans stay
// in its resources file (see ShardResourcesFile) until the store writes the shard and moves
// them (ShardFiles). The catalog did not change.
registerMigration(1, (data) => data);
// Version 3 encodes a shard's resources compactly (resourceEncoding.ts). A version 2 file
// holds full resources, which is what decoding a file without the encoding's `common`
// gives, so the step changes nothing: the store writes the file back encoded.
registerMigration(2, (data) => data);
// Version 4 writes the property content of a shard's resources by shape (propertyShapes.ts).
// A version 3 file has no `shapes` (nor `urnKey`), which decoding reads as content written
// as it is (and URNs ending in the name), so the step changes nothing: the store writes the
// file back at version 4.
registerMigration(3, (data) => data);

/** A file's schema version: absent means 0 (before versioning); NaN when it is not a version number. */
export function schemaVersionOf(data: object): number {
    const version = (data as { schemaVersion?: unknown }).schemaVersion;
    if (version === undefined) return 0;
    return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : Number.NaN;
}

/** Refuses content written by a newer Policy Insights; the file is left as it is. */
export function assertNotNewer(version: number, file: string): void {
    if (version > SCHEMA_VERSION) {
        throw new StoreError(
            'ESCHEMA',
            file,
            `${file} was written by a newer Policy Insights (schema version ${version}; this one understands up to ${SCHEMA_VERSION}). ` +
                'It was left unchanged. Update Policy Insights, or use another home with --home DIR, POLICY_INSIGHTS_HOME or the policyInsights.home setting.',
        );
    }
}

/** Runs the steps from `version` up to SCHEMA_VERSION and returns the upgraded content. */
export function migrate(data: object, version: number, file: string): object {
    let current = data as Record<string, unknown>;
    for (let from = version; from < SCHEMA_VERSION; from++) {
        const step = migrations.get(from);
        if (!step) {
            throw new StoreError('ESCHEMA', file, `${file} has schema version ${from} and this Policy Insights has no migration from it. The file was left unchanged.`);
        }
        let next: Record<string, unknown>;
        try {
            next = step(current, file);
        } catch (error) {
            throw new StoreError('ESCHEMA', file, `Migrating ${file} from schema version ${from} failed: ${errorMessage(error)}. The file was left unchanged.`, { cause: error });
        }
        current = next === undefined ? current : next;
        if (typeof current === 'object' && current !== null) current.schemaVersion = from + 1;
    }
    return current;
}
