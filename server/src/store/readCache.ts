/**
 * Parsed store files kept in memory, keyed by path and valid for one version of the file
 * (see versionKeyOf). Bounded by an estimate of the heap they occupy, least recently used
 * first out: a parse counts PARSED_HEAP_FACTOR times its file's size (a parsed shard
 * occupies several times its text), text kept for a lazy parse its length. Counting parses
 * at their file size let three parsed 13 MB shards stay beside the one being evaluated after
 * a 100,000-resource scan (bench/discovery.mjs; issue 14), ~60 MB of the process's peak.
 *
 * An entry is either a parse of the file or, after this process wrote the file, the text it
 * wrote, parsed by the first read that wants it (so that read does not read the file again,
 * and the writer's objects and a parse of them are never on the heap together); either way
 * what a read gets is shared and read-only.
 */
interface Entry {
    key: string;
    data?: unknown;
    load?: () => unknown;
    /** what the entry counts against the budget */
    bytes: number;
    /** the file's size */
    fileBytes: number;
}

/** Heap per byte of file of a parsed store file: an estimate (object headers, property maps and strings per JSON value). */
export const PARSED_HEAP_FACTOR = 4;

export class ReadCache {
    private readonly entries = new Map<string, Entry>();
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
                // the text is garbage now, the parse is what stays; room is made at the next
                // add, not here: the read that parsed it may be half-way (a shard's other file)
                this.bytes -= entry.bytes;
                entry.bytes = entry.fileBytes * PARSED_HEAP_FACTOR;
                this.bytes += entry.bytes;
            } catch (error) {
                // the file on disk is still good: the reader parses it instead
                this.delete(path);
                console.error(`Policy Insights store: ${path} was written but what was written could not be parsed back:`, error);
                return undefined;
            }
        }
        return entry.data as T;
    }

    /** Keeps `data`, the parse of a file of `bytes` bytes. */
    set(path: string, key: string, data: unknown, bytes: number): void {
        this.add(path, { key, data, bytes: bytes * PARSED_HEAP_FACTOR, fileBytes: bytes });
    }

    /** Like set, with the data made by `load` when first read (`bytes`: what `load` holds until then). */
    setLazy(path: string, key: string, load: () => unknown, bytes: number): void {
        this.add(path, { key, load, bytes, fileBytes: bytes });
    }

    private add(path: string, entry: Entry): void {
        this.delete(path);
        // a file larger than the whole budget is never kept; one within it is, even when its
        // parse alone counts more: its reader uses it next (an evaluation's violations update)
        if (entry.fileBytes > this.budgetBytes) return;
        this.entries.set(path, entry);
        this.bytes += entry.bytes;
        this.evictBut(path);
    }

    /** Evicts least recently used entries, never `keep`, until within the budget (or only `keep` is left). */
    private evictBut(keep: string): void {
        for (const [oldest, entry] of this.entries) {
            if (this.bytes <= this.budgetBytes) break;
            if (oldest === keep) continue;
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
