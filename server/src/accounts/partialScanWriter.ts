/**
 * Results while a scan runs: each finished service's resources are merged into their child's
 * shard as they arrive (added and changed only; nothing is removed before the scan ends, since
 * only the whole scan knows what is gone), and the caller is told which children changed so it
 * can evaluate them. Writes are coalesced: at most one per `intervalMs`, because a write costs
 * a whole shard file. The shards as they were before the first partial write are kept, so the
 * scan's final merge computes its delta against them: the outcome is the same as without
 * partial writes.
 */
import type { Resource } from '../shared/model';
import type { Store } from '../store';

/** `resources` with `batch` merged in by URN (replaced or added, never removed). */
export function upsertResources(resources: readonly Resource[], batch: readonly Resource[]): Resource[] {
    const out = [...resources];
    const at = new Map(out.map((r, i) => [r.urn, i]));
    for (const r of batch) {
        const i = at.get(r.urn);
        if (i === undefined) at.set(r.urn, out.push(r) - 1);
        else out[i] = r;
    }
    return out;
}

export class PartialScanWriter {
    private pending = new Map<string, Resource[]>();
    private readonly before = new Map<string, Resource[]>();
    private chain: Promise<void> = Promise.resolve();
    private scheduled = false;
    private closed = false;
    private lastWrite = 0;
    private wake: (() => void) | undefined;
    private failure: unknown;

    constructor(
        private readonly store: Store,
        private readonly onPartial: (children: string[]) => void,
        private readonly intervalMs: number,
    ) {}

    add(resources: readonly Resource[]): void {
        if (this.closed) return;
        for (const r of resources) {
            const list = this.pending.get(r.account);
            if (list) list.push(r);
            else this.pending.set(r.account, [r]);
        }
        if (this.scheduled) return;
        this.scheduled = true;
        this.chain = this.chain.then(() => this.waitTurn()).then(() => this.write());
    }

    /** Stops partial writes, waits for the one in flight, and returns each written child's resources as they were before the scan. @throws what a partial write threw */
    async finish(): Promise<ReadonlyMap<string, Resource[]>> {
        this.closed = true;
        this.wake?.();
        await this.chain;
        if (this.failure !== undefined) throw this.failure;
        return this.before;
    }

    /**
     * The scan failed or was cancelled: puts every written child's resources back as they were
     * before the scan (a failed scan stores nothing but its status) and names those children,
     * whose partial evaluations must be redone.
     */
    async abandon(): Promise<string[]> {
        this.closed = true;
        this.wake?.();
        await this.chain;
        for (const [child, resources] of this.before) {
            await this.store.updateShard(child, (shard) => {
                shard.resources = resources;
            });
        }
        return [...this.before.keys()].sort();
    }

    private waitTurn(): Promise<void> {
        const wait = this.lastWrite + this.intervalMs - Date.now();
        if (wait <= 0 || this.closed) return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(resolve, wait);
            this.wake = () => {
                clearTimeout(timer);
                resolve();
            };
        });
    }

    private async write(): Promise<void> {
        this.scheduled = false;
        this.wake = undefined;
        // once the scan is merging its whole result, a partial write would only be overwritten
        if (this.closed || this.failure !== undefined) return;
        const batch = this.pending;
        this.pending = new Map();
        try {
            for (const [child, resources] of batch) {
                await this.store.updateShard(child, (shard) => {
                    if (!this.before.has(child)) this.before.set(child, shard.resources);
                    shard.resources = upsertResources(shard.resources, resources);
                });
            }
        } catch (error) {
            this.failure = error;
            return;
        }
        this.lastWrite = Date.now();
        if (batch.size) this.onPartial([...batch.keys()].sort());
    }
}
