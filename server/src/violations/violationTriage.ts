/**
 * Triage set by people (CLI, extension): status, priority, assignee, suppression. Written
 * under the shard's lock, so an evaluation persisting at the same time keeps it.
 */
import { PRIORITIES, TRIAGE_STATUSES, type Priority, type Suppression, type TriageStatus, type Violation } from '../shared/model';
import type { Store } from '../store';
import { UserError } from '../userErrors';
import { inShardOf, type ViolationLocator } from './violationShards';

export interface TriageArgs {
    status?: TriageStatus;
    priority?: Priority | null;
    /** Empty string or null clears the assignee. */
    assignedTo?: string | null;
}

export interface SuppressArgs {
    reason: string;
    /** ISO date or date-time after which the violation shows again. */
    until: string;
    by?: string;
}

/** Why a triage change was refused. */
export class TriageError extends UserError {
    override readonly name = 'TriageError';
    constructor(
        readonly code: 'not-found' | 'invalid',
        message: string,
    ) {
        super(message);
    }
}

/** Changes violation `id` under its shard's lock, in the shard `locate` names when it knows (see violationShards.ts). */
async function updateViolation(store: Store, id: string, locate: ViolationLocator | undefined, change: (v: Violation) => void): Promise<Violation> {
    const updated = await inShardOf(store, id, locate, (shardName) =>
        // a shard without it is left unwritten (nothing changed)
        store.updateShard(shardName, (locked) => {
            const violation = locked.violations.find((v) => v.id === id);
            if (!violation) return undefined;
            change(violation);
            return structuredClone(violation);
        }),
    );
    if (updated) return updated;
    throw new TriageError('not-found', `No violation with id ${id}. List ids with \`policy-insights violations --json\`.`);
}

/** Sets status, priority and/or assignee. @throws TriageError */
export async function setTriage(store: Store, id: string, args: TriageArgs, locate?: ViolationLocator): Promise<Violation> {
    if (args.status !== undefined && !TRIAGE_STATUSES.includes(args.status)) {
        throw new TriageError('invalid', `status "${args.status}" is not one of ${TRIAGE_STATUSES.join(', ')} (fixed is set by evaluation when the finding is gone).`);
    }
    if (args.priority != null && !PRIORITIES.includes(args.priority)) throw new TriageError('invalid', `priority "${args.priority}" is not one of ${PRIORITIES.join(', ')}.`);
    return updateViolation(store, id, locate, (v) => {
        if (args.status !== undefined) {
            if (v.status === 'fixed') throw new TriageError('invalid', `Violation ${id} is fixed (the finding is gone since ${v.resolvedAt}); it reopens by itself if the finding comes back.`);
            v.status = args.status;
        }
        if (args.priority === null) delete v.priority;
        else if (args.priority !== undefined) v.priority = args.priority;
        if (args.assignedTo === null || args.assignedTo === '') delete v.assignedTo;
        else if (args.assignedTo !== undefined) v.assignedTo = args.assignedTo;
    });
}

/** Hides a violation until `until`; it shows again afterwards. @throws TriageError */
export async function suppress(store: Store, id: string, args: SuppressArgs, now: Date = new Date(), locate?: ViolationLocator): Promise<Violation> {
    if (!args.reason?.trim()) throw new TriageError('invalid', 'A suppression needs a reason (--reason).');
    const until = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(args.until) ? `${args.until}T00:00:00.000Z` : args.until);
    if (Number.isNaN(until)) throw new TriageError('invalid', `--until "${args.until}" is not a date: use YYYY-MM-DD or an ISO date-time.`);
    if (until <= now.getTime()) throw new TriageError('invalid', `--until ${args.until} is not in the future; a suppression must expire later than now.`);
    const suppression: Suppression = { reason: args.reason.trim(), until: new Date(until).toISOString(), ...(args.by ? { by: args.by } : {}) };
    return updateViolation(store, id, locate, (v) => {
        v.suppression = suppression;
    });
}

/** Removes a suppression (the violation shows again at once). @throws TriageError */
export async function unsuppress(store: Store, id: string, locate?: ViolationLocator): Promise<Violation> {
    return updateViolation(store, id, locate, (v) => {
        delete v.suppression;
    });
}
