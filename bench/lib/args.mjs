// The command-line options and the statistic every bench uses: `--name value` flags, `--name`
// switches, and the median the README's figures quote.

/** The value after `--name` on the command line (a string), else `fallback`. */
export function flag(name, fallback) {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The value after `--name` as a number, else `fallback` (as given). */
export function numberFlag(name, fallback) {
    const value = flag(name, undefined);
    return value === undefined ? fallback : Number(value);
}

/** Whether the switch `--name` is on the command line. */
export function has(name) {
    return process.argv.includes(`--${name}`);
}

/** The median of `xs` (the upper one of an even count). */
export function median(xs) {
    return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
