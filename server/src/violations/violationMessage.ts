/**
 * CrossGuard writes a violation's message as the policy's description, a newline, then
 * what the policy reported about the resource. Tables show only the reported part: the
 * description is the same on every row of a policy. (The Policy Violations page has its
 * own copy, webviews/src/violations/columns.ts violationSpecifics: webviews import only
 * types from the server.)
 */
export function reportedText(message: string, description?: string): string {
    if (description && message.startsWith(description + '\n')) return message.slice(description.length + 1).replace(/\s+/g, ' ').trim();
    const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
    return lines.length > 1 ? lines.slice(1).join(' ') : (lines[0] ?? '');
}
