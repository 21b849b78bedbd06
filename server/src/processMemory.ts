/**
 * The V8 settings the language server and the CLI run with (issue 14: scan and evaluate
 * 100,000 resources within 400 MB). With Node's defaults V8 lets the old generation grow to
 * 3.5-4x its live set before a full collection; a scan's live set is ~100 MB but it makes
 * garbage fast (SDK responses, parsed pages), so the process peaked at ~530 MB of which most
 * was garbage waiting. A smaller growth factor collects sooner at some CPU cost
 * (bench/discovery.mjs measures both; bench/incremental.mjs the cost on evaluation).
 * Applied once, first thing in each entry point, before the heap has grown. The full
 * collection the idle server asks for (garbageCollector) is here too: one home for what this
 * process changes about V8.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The flags, one home: the bench worker applies the same ones so it measures the product. */
export const PROCESS_MEMORY_FLAGS: readonly string[] = [
    // old generation grows 1.2x (not V8's default up to 4x) over what survived a full collection:
    // ~380 MB peak for the 100,000-resource scan + evaluation (515-580 MB with the default; 25 gave
    // 376-414 MB, 50 ~460 MB), at ~+15-20% CPU. Node's heap limit stays as it is (no
    // --max-old-space-size): a large import needs it
    '--heap-growing-percent=20',
];

let applied = false;

/** Sets PROCESS_MEMORY_FLAGS on this process's V8 (once; later calls do nothing). */
export function applyProcessMemorySettings(): void {
    if (applied) return;
    applied = true;
    for (const flag of PROCESS_MEMORY_FLAGS) {
        try {
            setFlagsFromString(flag);
        } catch {
            // a runtime without V8 flags runs with its defaults: more memory, same results
        }
    }
}

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
