/**
 * Parsed store files kept in memory, keyed by path and valid for one version of the file
 * (see versionKeyOf). Bounded by the total size of the files on disk, least recently
 * used first out: a parsed 50 MB shard occupies several hundred MB of heap.
 *
 * An entry is either a parse of the file or, after this process wrote the file, the text it
 * wrote, parsed by the first read that wants it (so that read does not read the file again,
 * and the writer's objects and a parse of them are never on the heap together); either way
 * what a read gets is shared and read-only.
 */
export class ReadCache {
    private readonly entries = new Map<string, { key: string; data?: unknown; load?: () => unknown; bytes: number }>();
    private bytes = 0;

    constructor(private readonly budgetBytes: number) {}

    get<T>(path: string, key: string): T | undefined {
        const entry = this.entries.get(path);
        if (!entry || entry.key !== key) return undefined;
        // re-insert: Map order is the LRU order
        this.entries.delete(path);
        this.entries.set(path, entry);
        if (entry.load) {
            const load = entry.load;
            entry.load = undefined;
            try {
                entry.data = load();
            } catch (error) {
                // the file on disk is still good: the reader parses it instead
                this.delete(path);
                console.error(`Policy Insights store: ${path} was written but what was written could not be parsed back:`, error);
                return undefined;
            }
        }
        return entry.data as T;
    }

    set(path: string, key: string, data: unknown, bytes: number): void {
        this.add(path, { key, data, bytes });
    }

    /** Like set, with the data made by `load` when first read (`bytes`: what `load` holds until then). */
    setLazy(path: string, key: string, load: () => unknown, bytes: number): void {
        this.add(path, { key, load, bytes });
    }

    private add(path: string, entry: { key: string; data?: unknown; load?: () => unknown; bytes: number }): void {
        const { bytes } = entry;
        this.delete(path);
        if (bytes > this.budgetBytes) return;
        this.entries.set(path, entry);
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
