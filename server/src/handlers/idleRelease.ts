/**
 * Gives memory back when the language server goes quiet. Answering the views parses shards
 * (the store keeps the parsed files in its read cache) and makes garbage; a server nobody asks
 * anything keeps all of it resident, because V8 collects only when JavaScript allocates. So
 * after `idleMs` without a request or a store change, the store's read cache is dropped and a
 * full collection runs (processMemory.ts's garbageCollector), once per busy spell
 * (bench/server-memory.mjs measures the effect).
 */
export class IdleRelease {
    private timer: NodeJS.Timeout | undefined;
    private busy = false;

    constructor(
        private readonly release: () => void,
        private readonly idleMs = 5_000,
    ) {}

    /** Something ran (a request, a store change): release once `idleMs` pass without another. */
    touch(): void {
        this.busy = true;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.fire(), this.idleMs);
        // a timer must not keep a server that was told to exit alive
        this.timer.unref();
    }

    private fire(): void {
        if (!this.busy) return;
        this.busy = false;
        this.release();
    }

    dispose(): void {
        clearTimeout(this.timer);
    }
}
