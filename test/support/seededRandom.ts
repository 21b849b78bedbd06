/**
 * mulberry32: a small, fast, seedable PRNG, so generated fixtures and randomized tests are
 * reproducible from their seed. (bench/lib/syntheticAws.mjs keeps a JS copy: benches run
 * as plain node scripts without a build step.)
 */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
