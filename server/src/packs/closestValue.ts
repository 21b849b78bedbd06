/** Picks the allowed value a mistyped literal most likely meant ("mandtory" -> "mandatory"). */

/** Levenshtein distance (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
    if (a === b) return 0;
    if (a.length === 0) return b.length;
    if (b.length === 0) return a.length;
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    let current = new Array<number>(b.length + 1);
    for (let i = 1; i <= a.length; i++) {
        current[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
        }
        [previous, current] = [current, previous];
    }
    return previous[b.length];
}

/**
 * `allowed` ordered from the most to the least likely meant by `value`. Case is ignored
 * first ("Mandatory" means "mandatory"), then a value that starts with what was typed wins
 * ties, so "adv" ranks "advisory" first; otherwise ties keep the order of `allowed`.
 */
export function rankByCloseness(value: string, allowed: readonly string[]): string[] {
    const typed = value.trim().toLowerCase();
    const score = (candidate: string): number => {
        const lower = candidate.toLowerCase();
        if (lower === typed) return -2;
        if (typed.length > 0 && lower.startsWith(typed)) return -1;
        return editDistance(typed, lower);
    };
    return allowed
        .map((candidate, index) => ({ candidate, index, score: score(candidate) }))
        .sort((x, y) => x.score - y.score || x.index - y.index)
        .map(entry => entry.candidate);
}
