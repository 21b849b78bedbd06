/**
 * Gives memory back when the language server goes quiet. Answering the views parses shards
 * (the store keeps the parsed files in its read cache) and makes garbage; a server nobody asks
 * anything keeps all of it resident, because V8 collects only when JavaScript allocates. So
 * after `idleMs` without a request or a store change, the store's read cache is dropped and a
 * full collection runs (processMemory.ts's garbageCollector), once per busy spell
 * (bench/server-memory.mjs measures the effect).
 *
 * Never while a request runs: at 1,000,000 violations one request can take longer than
 * `idleMs` (the index built from cold), and dropping the cache it is reading from, then a full
 * collection, in its middle only makes it slower.
 */
export class IdleRelease {
    private timer: NodeJS.Timeout | undefined;
    private busy = false;
    private running = 0;

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

    /**
     * A request started: nothing is released until it ends and `idleMs` pass after.
     * @returns what to call when it is answered (once; more calls do nothing)
     */
    begin(): () => void {
        this.running++;
        this.busy = true;
        clearTimeout(this.timer);
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            this.running--;
            this.touch();
        };
    }

    private fire(): void {
        // a store change during a long request armed the timer: the request's end arms it again
        if (!this.busy || this.running > 0) return;
        this.busy = false;
        this.release();
    }

    dispose(): void {
        clearTimeout(this.timer);
    }
}
