/** A counting semaphore: at most `limit` holders at a time, served in arrival order. */
export class CallLimiter {
    private active = 0;
    private readonly waiting: (() => void)[] = [];

    constructor(readonly limit: number) {
        if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a whole number of at least 1, got ${limit}`);
    }

    /** Runs `task` once a slot is free, releasing the slot when it settles. */
    async run<T>(task: () => Promise<T>): Promise<T> {
        if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
        else this.active++;
        try {
            return await task();
        } finally {
            const next = this.waiting.shift();
            // the slot passes straight to the next waiter, so `active` stays the same
            if (next) next();
            else this.active--;
        }
    }
}
