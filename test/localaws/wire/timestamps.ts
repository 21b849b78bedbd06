// Fixtures hold timestamps as ISO 8601 strings (or epoch milliseconds); each protocol
// writes them in its own format.

function toDate(value: unknown): Date {
    const date = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(date.getTime())) throw new Error(`localaws: "${String(value)}" is not a timestamp; use ISO 8601, e.g. 2024-01-31T12:00:00Z`);
    return date;
}

/** `2024-01-31T12:00:00.000Z`: what the XML protocols send. */
export function toIsoTimestamp(value: unknown): string {
    return toDate(value).toISOString();
}

/** Seconds since the epoch, with fractions: what the JSON protocols send. */
export function toEpochSeconds(value: unknown): number {
    return toDate(value).getTime() / 1000;
}

/** RFC 7231 date, for http-date timestamps. */
export function toHttpDate(value: unknown): string {
    return toDate(value).toUTCString();
}
