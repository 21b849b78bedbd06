/**
 * Waiting in node --test files: every wait ends, either with what was awaited or with a failure
 * naming it. A test that proves something did NOT happen waits for an event that shows the thing
 * would have happened by then (a later marker, a witness), never for a fixed time.
 */

/** `promise`, or a failure naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${typeof what === 'string' ? what : what()}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits until `predicate` holds, re-checking every 10 ms; fails naming `what` after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}
