/**
 * The persistence layer: a catalog and per-account shards (two files each) under the store home, written
 * atomically, locked across processes, recovered when damaged, migrated when old.
 * Other modules import the store only from here.
 */
export { SCHEMA_VERSION, DEFAULT_POLICY_GROUP, defaultCatalog, emptyShard, joinDefaultGroup, type Catalog, type Shard } from './schema';
export { StoreError, type StoreErrorCode } from './storeError';
export { describeRecovery, type RecoveryReport } from './storeDocument';
export { Store, stagingDirName, type StoreChange, type StoreOptions, type Disposable } from './store';
export type { ShardViolationsDraft } from './shardFiles';
export { resolveHome } from './home';
export { registerMigration, type Migration } from './migrations';
