/** Exit codes of the `policy-insights` CLI contract (DESIGN.md); user errors carry theirs (userErrors.ts). */
export const EXIT_OK = 0;
/** Findings or validation errors the user must act on. */
export const EXIT_FINDINGS = 1;
/** Bad usage or bad input. */
export const EXIT_USAGE = 2;
/**
 * The command did its work, but the store had to recover a damaged or missing file (from its
 * `.bak`, or empty), or a write of this command was undone by something outside the store:
 * data may be older than expected. Used only where the command would otherwise exit 0, so a
 * CI script notices; stderr names each file.
 */
export const EXIT_STORE_RECOVERED = 3;
