/**
 * Gives memory back when the language server goes quiet. Answering the views parses shards
 * (the store keeps the parsed files in its read cache) and makes garbage; a server nobody asks
 * anything keeps all of it resident, because V8 collects only when JavaScript allocates. So
 * after `idleMs` without a request or a store change, the store's read cache is dropped and a
 * full collection runs, once per busy spell (bench/server-memory.mjs measures the effect).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full garbage collection: `global.gc` when node was started with --expose-gc, else one exposed in a fresh context. */
export function garbageCollector(): (() => void) | undefined {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') return exposed;
    try {
        // The flag applies to contexts created after it: the new context has `gc`, the main one stays as it was.
        setFlagsFromString('--expose-gc');
        const gc = runInNewContext('gc') as unknown;
        return typeof gc === 'function' ? (gc as () => void) : undefined;
    } catch {
        return undefined; // a runtime without V8 flags: memory is released when V8 next collects
    }
}

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
