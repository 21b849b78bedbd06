/**
 * The Policy Violations panel's script. It runs in the webview (no Node, no `vscode`),
 * talks to the extension host only through the typed messages of protocol.ts, and never
 * puts a string from a resource or a pack into HTML: every cell is set as textContent.
 */
import type { ViolationsPanelToHost, ViolationsPanelToWebview } from '../../../server/src/protocol';
import type { Violation } from '../../../server/src/model';

interface VsCodeApi {
    postMessage(message: ViolationsPanelToHost): void;
    getState(): unknown;
    setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const COLUMNS: [string, (v: Violation) => string][] = [
    ['Policy', (v) => v.policyName],
    ['Level', (v) => v.level],
    ['Resource', (v) => v.resourceName],
    ['Type', (v) => v.resourceType],
    ['Account', (v) => v.entityId],
    ['Message', (v) => v.message],
];

function render(violations: Violation[], total: number): void {
    const root = document.getElementById('root')!;
    root.replaceChildren();
    const caption = document.createElement('p');
    caption.textContent = `${total} violation(s)`;
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const [title] of COLUMNS) {
        const th = document.createElement('th');
        th.textContent = title;
        head.appendChild(th);
    }
    const body = table.createTBody();
    for (const v of violations) {
        const row = body.insertRow();
        row.tabIndex = 0;
        row.addEventListener('click', () => vscode.postMessage({ type: 'openViolation', id: v.id }));
        for (const [, cell] of COLUMNS) row.insertCell().textContent = cell(v);
    }
    root.append(caption, table);
}

window.addEventListener('message', (event: MessageEvent<ViolationsPanelToWebview>) => {
    if (event.data.type === 'violations') render(event.data.violations, event.data.total);
});
vscode.postMessage({ type: 'ready' });
