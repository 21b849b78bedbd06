/**
 * One resource-by-resource run (analyze or remediate) of a pack over many resources: the
 * resources go to hosts in chunks, several hosts in parallel; a chunk whose host dies is
 * retried on a new host, the cause (a policy that blocked past the timeout, a crash, the
 * memory cap) reported for the policy and resource that caused it, and the run carries on
 * with the rest. Results come back in resource order, whichever host finished first.
 */
import { memoryMessage, type BatchResult, type HostRequest } from './hostMessages';
import type { Host, HostPool } from './hostPool';
import type { CompiledPack } from './packCompiler';
import { HostExitError } from './hostProcess';
import type { resolvePackConfig } from '../groups/packConfigResolution';
import { RunnerError, type PolicyRunError, type RunOptions, type RunnerResource } from './runnerTypes';

/** Host restarts after crashes that one run tolerates before giving up on the rest. */
const CRASH_BUDGET = 3;

interface Chunk {
    start: number;
    items: RunnerResource[];
    skip: Set<string>;
}

export interface ChunkedRun {
    kind: 'analyze' | 'remediate';
    compiled: CompiledPack;
    /** Already slimmed to what crosses the process boundary (slimResources). */
    resources: RunnerResource[];
    /** The host the caller acquired (and configured the pack for); released here. */
    first: Host;
    config: ReturnType<typeof resolvePackConfig>;
    options: RunOptions;
    /** Per policy call. */
    timeoutMs: number;
    chunkSize: number;
    /** Hosts evaluating chunks in parallel (at most one per chunk). */
    parallel: number;
}

export async function runChunked(pool: HostPool, run: ChunkedRun): Promise<BatchResult> {
    const { kind, compiled, options, timeoutMs, config } = run;
    const packDir = compiled.packDir;
    const globalSkip = new Set<string>();
    const queue: Chunk[] = [];
    for (let start = 0; start < run.resources.length; start += run.chunkSize) {
        queue.push({ start, items: run.resources.slice(start, start + run.chunkSize), skip: globalSkip });
    }
    const done: { start: number; result: BatchResult }[] = [];
    const errors: { start: number; error: PolicyRunError }[] = [];
    let crashes = 0;
    const active = new Set<Host>();
    const stopOnAbort = () => active.forEach((h) => void h.process.kill());
    options.signal?.addEventListener('abort', stopOnAbort);

    const work = async (initial: Host | undefined) => {
        let host = initial;
        try {
            while (queue.length && crashes <= CRASH_BUDGET) {
                if (options.signal?.aborted) return;
                const chunk = queue.shift()!;
                if (chunk.skip === globalSkip) chunk.skip = new Set(globalSkip);
                host = host && host.process.alive ? host : host ? await pool.replace(host, compiled, options.context) : await pool.acquire(compiled, options.context);
                active.add(host);
                try {
                    await pool.configure(host, config);
                    const req: HostRequest = { kind, resources: chunk.items, skipPolicies: [...chunk.skip], timeoutMs };
                    const result = (await host.process.request(req)) as BatchResult;
                    result.timedOut.forEach((p) => globalSkip.add(p));
                    done.push({ start: chunk.start, result });
                } catch (e) {
                    if (options.signal?.aborted) return;
                    if (!(e instanceof HostExitError)) throw e;
                    const hang = e.hang;
                    const overMemory = hang?.memory && hang.resourceIndex >= 0 && hang.resourceIndex < chunk.items.length;
                    if (overMemory) {
                        // A crash whose cause is known: the resource is reported, the rest retried on a new host.
                        crashes++;
                        const k = hang.resourceIndex;
                        errors.push({ start: chunk.start + k, error: { code: 'crashed', policyName: hang.policyName, urn: chunk.items[k].urn, message: memoryMessage(host.info.name, hang, chunk.items[k].urn), stderrTail: e.stderrTail } });
                        // the host's results for the resources before k died with it
                        const retry: Chunk[] = [];
                        if (k > 0) retry.push({ start: chunk.start, items: chunk.items.slice(0, k), skip: chunk.skip });
                        if (k + 1 < chunk.items.length) retry.push({ start: chunk.start + k + 1, items: chunk.items.slice(k + 1), skip: chunk.skip });
                        queue.unshift(...retry);
                    } else if (hang && !hang.memory && hang.resourceIndex >= 0 && hang.resourceIndex < chunk.items.length) {
                        const k = hang.resourceIndex;
                        const what = kind === 'remediate' ? 'Remediation' : 'Policy';
                        errors.push({
                            start: chunk.start + k,
                            error: { code: 'policy-timeout', policyName: hang.policyName, urn: chunk.items[k].urn, message: `${what} '${hang.policyName}' blocked for ${Math.round(hang.elapsedMs)} ms (timeout ${timeoutMs} ms) on ${chunk.items[k].urn}; the pack process was restarted and the policy is skipped for the rest of this evaluation.` },
                        });
                        globalSkip.add(hang.policyName);
                        const after: Chunk = { start: chunk.start + k, items: chunk.items.slice(k), skip: new Set([...chunk.skip, hang.policyName]) };
                        queue.unshift(...(k > 0 ? [{ start: chunk.start, items: chunk.items.slice(0, k), skip: chunk.skip }, after] : [after]));
                    } else {
                        crashes++;
                        if (chunk.items.length > 1) {
                            // Find the resource that takes the host down: retry one by one.
                            queue.unshift(...chunk.items.map((item, i) => ({ start: chunk.start + i, items: [item], skip: chunk.skip })));
                        } else {
                            errors.push({ start: chunk.start, error: { code: 'crashed', urn: chunk.items[0].urn, message: e.message, stderrTail: e.stderrTail } });
                        }
                    }
                }
            }
        } finally {
            if (host) {
                active.delete(host);
                pool.release(host);
            }
        }
    };

    try {
        const extra: Promise<void>[] = [];
        const parallel = Math.min(run.parallel, queue.length);
        for (let i = 1; i < parallel; i++) extra.push(work(undefined));
        await Promise.all([work(run.first), ...extra]);
    } finally {
        options.signal?.removeEventListener('abort', stopOnAbort);
    }
    if (options.signal?.aborted) throw new RunnerError('cancelled', `Evaluation of ${packDir} was cancelled.`);
    if (queue.length) {
        const left = queue.reduce((n, c) => n + c.items.length, 0);
        errors.push({ start: queue[0].start, error: { code: 'crashed', message: `The policy pack process for ${packDir} crashed ${crashes} times; ${left} resources were not evaluated.` } });
    }
    return mergeInResourceOrder(done, errors);
}

/** Errors a host reported within a chunk keep their place; errors the pool saw sort by resource. */
function mergeInResourceOrder(done: { start: number; result: BatchResult }[], errors: { start: number; error: PolicyRunError }[]): BatchResult {
    done.sort((a, b) => a.start - b.start);
    errors.sort((a, b) => a.start - b.start);
    const merged: BatchResult = { diagnostics: [], remediations: [], errors: [], timedOut: [] };
    const allErrors: { start: number; error: PolicyRunError }[] = [...errors];
    for (const { start, result } of done) {
        for (const d of result.diagnostics) merged.diagnostics.push(d);
        for (const r of result.remediations) merged.remediations.push(r);
        for (const error of result.errors) allErrors.push({ start, error });
    }
    allErrors.sort((a, b) => a.start - b.start);
    merged.errors = allErrors.map((e) => e.error);
    return merged;
}
