import type { Violation } from '../shared/model';
import type { ListViolationsParams, ListViolationsResult } from '../shared/protocol';
import type { Store } from '../store';
import { compareViolations, violationMatcher, type ViolationFilter } from './violationFilter';

export interface ViolationQuery extends ViolationFilter {
    limit?: number;
    /** Time suppressions are compared with (default now). */
    now?: Date;
}

/**
 * Violations across every shard that match `query`, newest first.
 * @throws FilterError for a date that does not parse
 */
export async function queryViolations(store: Store, query: ViolationQuery = {}): Promise<ListViolationsResult> {
    const matches = violationMatcher(query, query.now);
    const matched: Violation[] = [];
    for (const shardName of await store.listShards()) {
        const shard = await store.readShard(shardName);
        for (const violation of shard.violations) if (matches(violation)) matched.push(violation);
    }
    matched.sort(compareViolations);
    const limit = query.limit ?? matched.length;
    return { violations: matched.slice(0, limit), total: matched.length };
}

/** The Violations tree's request: violations by status (default open and in_progress), newest first. */
export async function listViolations(store: Store, params: ListViolationsParams = {}): Promise<ListViolationsResult> {
    return queryViolations(store, { statuses: params.statuses, limit: params.limit });
}
