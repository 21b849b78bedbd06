/**
 * The Policy Violations webview's HTML: a strict CSP (`default-src 'none'`, the script
 * allowed by nonce, styles and images only from the extension), the stylesheet and the
 * script. Pure (no `vscode`), so the webview tests load exactly this page in Chromium.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlArgs {
    /** `webview.cspSource`: the origin the extension's own files are served from. */
    cspSource: string;
    /** asWebviewUri of out/webviews/violations.js and .css. */
    scriptUri: string;
    styleUri: string;
    nonce: string;
}

/** A fresh nonce per page load: a script without it does not run. */
export function createNonce(): string {
    return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function violationsPanelHtml({ cspSource, scriptUri, styleUri, nonce }: PanelHtmlArgs): string {
    if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error(`The webview nonce "${nonce}" is not base64; create it with createNonce().`);
    const csp = [`default-src 'none'`, `img-src ${cspSource} data:`, `style-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(styleUri)}">
<title>Policy Violations</title>
</head>
<body>
<script nonce="${nonce}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}
