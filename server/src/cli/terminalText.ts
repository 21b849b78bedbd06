/**
 * Text from resources, tags, packs and stack exports printed to a terminal. A resource name
 * holding ESC can move the cursor, recolour or retitle the terminal; CR rewrites the line;
 * bidi overrides reorder what is shown. Human output shows such characters as visible
 * escapes (`\x1b`, `\u202e`); JSON and SARIF stay exact (JSON escapes C0 itself), and CSV,
 * opened by spreadsheets, loses only the characters no cell should hold.
 */

 
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
 
const CSV_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function visible(char: string): string {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control and bidi character but newline and tab shown as an escape. */
export function terminalSafe(text: string): string {
    return text.replace(TERMINAL_UNSAFE, visible);
}

/** CSV text without ESC, NUL and the other C0 controls (tab, CR and LF stay: they are CSV's own). */
export function csvSafe(text: string): string {
    return text.replace(CSV_UNSAFE, '\ufffd');
}
