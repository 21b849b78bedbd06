/**
 * Runs in the pack host. Stops policy calls that take too long:
 * - a call that is still waiting after the timeout while the event loop turns (a promise
 *   that never settles) is abandoned by the host itself, which carries on;
 * - a call that holds the event loop past the timeout (a synchronous loop) can only be ended
 *   by killing the process: a watchdog thread sees the same call running and no event-loop
 *   turn, writes a HangReport on fd 4 for the parent, and kills the host.
 * The watchdog also kills the host when its parent dies (a killed CLI): 'disconnect' only fires
 * when the event loop turns, and pack code spinning at load or in a policy would otherwise go on
 * at 100% CPU under PID 1 forever. A dead parent shows as a changed ppid (the orphan is
 * re-parented to init or a subreaper).
 * The main thread shares its current call with the watchdog through a SharedArrayBuffer.
 */
import { Worker } from 'node:worker_threads';
import { WATCHDOG_FD, type HangReport } from './hostMessages';

// Slots of the shared Float64Array.
const ACTIVE = 0;
const SEQ = 1;
const START = 2;
const HEARTBEAT = 3;
const TIMEOUT = 4;
const REQUEST = 5;
const RESOURCE = 6;
const POLICY = 7;

const TICK_MS = 20;
/** How long the event loop must have been stuck, with the call past its timeout, before the watchdog kills. */
const STUCK_GRACE_MS = 250;
/** How often the watchdog checks that the parent is still there. */
const PARENT_CHECK_MS = 250;
/** How often the watchdog measures the host's resident memory (cheap: one read of /proc/self/statm on Linux). */
const MEMORY_CHECK_MS = 100;

/** The watchdog thread: plain JS, started from a string so it needs no file of its own. */
const WATCHDOG_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const s = new Float64Array(workerData.buffer);
let policyNames = [];
parentPort.on('message', (m) => { if (m && Array.isArray(m.policyNames)) policyNames = m.policyNames; });
let lastHeartbeat = -1, lastHeartbeatChange = Date.now();
setInterval(() => {
    if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL');
}, ${PARENT_CHECK_MS});
// RSS is the whole process's (every thread's heap, buffers, code): a pack that allocates without
// bound (one reached 6.2 GB) is stopped here with a report, before it takes the machine down.
if (workerData.maxRssMb > 0) setInterval(() => {
    const rssMb = process.memoryUsage.rss() / 1048576;
    if (rssMb <= workerData.maxRssMb) return;
    const active = s[${ACTIVE}] === 1;
    const report = { requestId: s[${REQUEST}], resourceIndex: active ? s[${RESOURCE}] : -1, policyName: active ? (policyNames[s[${POLICY}]] ?? '') : '', elapsedMs: Date.now() - s[${START}], memory: { rssMb: Math.round(rssMb), limitMb: workerData.maxRssMb } };
    try { fs.writeSync(${WATCHDOG_FD}, JSON.stringify(report) + '\\n'); } catch {}
    process.kill(process.pid, 'SIGKILL');
}, ${MEMORY_CHECK_MS});
setInterval(() => {
    const now = Date.now();
    if (s[${HEARTBEAT}] !== lastHeartbeat) { lastHeartbeat = s[${HEARTBEAT}]; lastHeartbeatChange = now; }
    if (s[${ACTIVE}] !== 1) return;
    const elapsed = now - s[${START}];
    if (elapsed > s[${TIMEOUT}] && now - lastHeartbeatChange > ${STUCK_GRACE_MS}) {
        const report = { requestId: s[${REQUEST}], resourceIndex: s[${RESOURCE}], policyName: policyNames[s[${POLICY}]] ?? '', elapsedMs: elapsed };
        try { fs.writeSync(${WATCHDOG_FD}, JSON.stringify(report) + '\\n'); } catch {}
        process.kill(process.pid, 'SIGKILL');
    }
}, ${TICK_MS});
`;

export type GuardedOutcome<T> = { kind: 'done'; value: T } | { kind: 'timeout'; elapsedMs: number };

interface PendingCall {
    start: number;
    timeoutMs: number;
    settle: (outcome: GuardedOutcome<never>) => void;
}

export class CallGuard {
    private readonly slots = new Float64Array(new SharedArrayBuffer(8 * Float64Array.BYTES_PER_ELEMENT));
    private readonly worker: Worker;
    private pending: PendingCall | undefined;

    /** `maxRssMb`: the host's resident-memory cap (0: none). */
    constructor(maxRssMb = 0) {
        this.worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { buffer: this.slots.buffer, parentPid: process.ppid, maxRssMb } });
        this.worker.unref();
        // The heartbeat only advances when the event loop turns: the watchdog's proof that the
        // host is waiting, not stuck. The same tick abandons calls that waited too long.
        setInterval(() => {
            this.slots[HEARTBEAT]++;
            const call = this.pending;
            if (call && Date.now() - call.start > call.timeoutMs) {
                this.pending = undefined;
                this.slots[ACTIVE] = 0;
                call.settle({ kind: 'timeout', elapsedMs: Date.now() - call.start });
            }
        }, TICK_MS).unref();
    }

    /** Names the watchdog reports policies by (index = position in the pack). */
    setPolicyNames(names: string[]): void {
        this.worker.postMessage({ policyNames: names });
    }

    /**
     * Runs `start` (which must call `done` exactly once, synchronously or later) under the
     * timeout. Calls never overlap: the host runs one policy at a time.
     */
    run<T>(where: { requestId: number; resourceIndex: number; policyIndex: number }, timeoutMs: number, start: (done: (value: T) => void) => void): Promise<GuardedOutcome<T>> {
        return new Promise<GuardedOutcome<T>>((resolve) => {
            const s = this.slots;
            const begin = Date.now();
            let settled = false;
            const settle = (outcome: GuardedOutcome<T>) => {
                if (settled) return;
                settled = true;
                if (this.pending === call) this.pending = undefined;
                s[ACTIVE] = 0;
                resolve(outcome);
            };
            const call: PendingCall = { start: begin, timeoutMs, settle };
            this.pending = call;
            s[SEQ]++;
            s[START] = begin;
            s[TIMEOUT] = timeoutMs;
            s[REQUEST] = where.requestId;
            s[RESOURCE] = where.resourceIndex;
            s[POLICY] = where.policyIndex;
            s[ACTIVE] = 1;
            start((value) => settle({ kind: 'done', value }));
        });
    }

    /** Marks which policy runs inside a call that spans several (remediation chains). */
    setPolicy(policyIndex: number): void {
        this.slots[POLICY] = policyIndex;
    }

    /**
     * Marks the start of another policy inside a call that runs several one after the other
     * (a resource's policies in one SDK call): it is reported by name and gets a timeout of its
     * own, from now, as if it had been called alone.
     */
    enterPolicy(policyIndex: number): void {
        const s = this.slots;
        if (s[POLICY] === policyIndex) return;
        const now = Date.now();
        s[POLICY] = policyIndex;
        s[START] = now;
        if (this.pending) this.pending.start = now;
    }
}

export type { HangReport };
