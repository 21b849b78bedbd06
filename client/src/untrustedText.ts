/**
 * Strings that came from a pack, a resource, a stack export or a store file are data, not
 * markup. VS Code notifications turn `[label](command:…)` into a clickable link that runs
 * a command, and MarkdownString renders links and loads images: such a string must reach
 * neither as markup. No `vscode` import here, so the rules are tested with plain Node.
 */

/** C0/C1 controls, DEL and the bidi overrides/isolates that can reorder or hide what is shown. */
 
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` for showInformationMessage/showWarningMessage/showErrorMessage: control characters
 * become U+FFFD, and link syntax is broken up (`[a](b)` becomes `[a] (b)`) so the
 * notification renders it as the text it is instead of a command link.
 */
export function notificationText(text: string): string {
    return text.replace(CONTROL, '\ufffd').replace(/\]\s*\(/g, '] (');
}

/** `text` for a tree item's label, description or plain tooltip: control characters replaced, nothing else changed. */
export function plainText(text: string): string {
    return text.replace(CONTROL, '\ufffd');
}
