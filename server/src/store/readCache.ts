/**
 * Parsed store files kept in memory, keyed by path and valid for one version of the file
 * (see versionKeyOf). Bounded by the total size of the files on disk, least recently
 * used first out: a parsed 50 MB shard occupies several hundred MB of heap.
 *
 * An entry is either a parse of the file or the object this process just wrote to it
 * (so the next read does not parse again); either way it is shared and read-only.
 */
export class ReadCache {
    private readonly entries = new Map<string, { key: string; data: unknown; bytes: number }>();
    private bytes = 0;

    constructor(private readonly budgetBytes: number) {}

    get<T>(path: string, key: string): T | undefined {
        const entry = this.entries.get(path);
        if (!entry || entry.key !== key) return undefined;
        // re-insert: Map order is the LRU order
        this.entries.delete(path);
        this.entries.set(path, entry);
        return entry.data as T;
    }

    /** Whether a file of `bytes` can be kept at all: one larger is not worth parsing for the cache. */
    fits(bytes: number): boolean {
        return bytes <= this.budgetBytes;
    }

    set(path: string, key: string, data: unknown, bytes: number): void {
        this.delete(path);
        if (bytes > this.budgetBytes) return;
        this.entries.set(path, { key, data, bytes });
        this.bytes += bytes;
        for (const [oldest, entry] of this.entries) {
            if (this.bytes <= this.budgetBytes) break;
            this.entries.delete(oldest);
            this.bytes -= entry.bytes;
        }
    }

    delete(path: string): void {
        const entry = this.entries.get(path);
        if (!entry) return;
        this.entries.delete(path);
        this.bytes -= entry.bytes;
    }

    clear(): void {
        this.entries.clear();
        this.bytes = 0;
    }
}
