// Shared by the VS Code suites: the harness's environment, and waiting on events VS Code or
// the extension fires, never on a timer (the timeout only turns a wait that never ends into
// a failure naming what was awaited).
import type * as vscode from 'vscode';

/** A variable test/harness/runVscodeTests.mjs sets in the extension host's environment. */
export function env(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set in the extension host: test/harness/runVscodeTests.mjs sets it`);
    return value;
}

/** Resolves when `check` holds, re-checking on every event of `events` (never on a timer). */
export function until(events: vscode.Event<unknown>[], check: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
    return new Promise((resolve, reject) => {
        let done = false;
        const subscriptions: vscode.Disposable[] = [];
        const finish = (err?: Error) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            subscriptions.forEach((s) => s.dispose());
            if (err) reject(err);
            else resolve();
        };
        const timer = setTimeout(() => finish(new Error(`${what}: not reached within ${timeoutMs / 1000} s`)), timeoutMs);
        const test = () => check().then((ok) => ok && finish(), (err) => finish(err));
        for (const event of events) subscriptions.push(event(() => void test()));
        void test();
    });
}
