/**
 * A fake VS Code webview host for the Policy Violations panel, in real Chromium: the page
 * is the extension's own HTML (violationsPanelHtml, with its CSP and nonce) served from
 * 127.0.0.1, `acquireVsCodeApi` is a fake that keeps state and forwards messages to Node,
 * and Node answers the panel's requests with the language server's own request handlers
 * (handlers/violationHandlers.ts) over a real store.
 * Used by the webview tests and bench/webview.mjs.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createNonce, violationsPanelHtml } from '../../../client/src/panels/violationsPanelHtml';
import type { PanelFilter, PanelHostMethod, PanelHostRequests, PanelState, ViolationsPanelToHost, ViolationsPanelToWebview } from '../../../server/src/shared/panelProtocol';
import type { Store } from '../../../server/src/store';
import { violationRequestHandlers, type ViolationRequestHandlers } from '../../../server/src/handlers/violationHandlers';
import { THEMES, type ThemeName } from './themes';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--headless', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The repository root (tests run bundled from out/test/... or a temp folder). */
export function findRepo(): string {
    for (const start of [__dirname, process.cwd()]) {
        for (let dir = resolve(start); ; dir = dirname(dir)) {
            if (existsSync(join(dir, 'webviews/src/violations/main.ts'))) return dir;
            if (dirname(dir) === dir) break;
        }
    }
    throw new Error(`webviews/src/violations/main.ts not found above ${__dirname} or ${process.cwd()}`);
}

export async function launchChromium(): Promise<Browser> {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium).`);
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Builds the panel's bundle (as esbuild.mjs does) and serves it with the panel's HTML on 127.0.0.1. */
export class PanelFiles {
    private constructor(
        private readonly server: Server,
        readonly origin: string,
    ) {}

    static async start(): Promise<PanelFiles> {
        const repo = findRepo();
        const outdir = mkdtempSync(join(tmpdir(), 'pi-webview-'));
        await esbuild.build({
            absWorkingDir: repo,
            entryPoints: { violations: 'webviews/src/violations/main.ts' },
            bundle: true,
            platform: 'browser',
            target: 'es2022',
            format: 'iife',
            outdir,
            logLevel: 'warning',
        });
        const files: Record<string, [string, string]> = {
            '/violations.js': ['text/javascript', readFileSync(join(outdir, 'violations.js'), 'utf8')],
            '/violations.css': ['text/css', readFileSync(join(outdir, 'violations.css'), 'utf8')],
        };
        let origin = '';
        const server = createServer((req, res) => {
            const path = (req.url ?? '/').split('?')[0];
            if (path === '/index.html') {
                res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
                res.end(violationsPanelHtml({ cspSource: origin, scriptUri: `${origin}/violations.js`, styleUri: `${origin}/violations.css`, nonce: createNonce() }));
                return;
            }
            const file = files[path];
            if (path === '/favicon.ico') {
                res.writeHead(204).end();
                return;
            }
            if (!file) {
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200, { 'content-type': file[0] });
            res.end(file[1]);
        });
        await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
        const address = server.address();
        if (!address || typeof address === 'string') throw new Error('the panel file server has no port');
        origin = `http://127.0.0.1:${address.port}`;
        return new PanelFiles(server, origin);
    }

    close(): Promise<void> {
        return new Promise((done) => this.server.close(() => done()));
    }
}

export interface OpenPanelOptions {
    /** What getState() returns at start (a hidden panel shown again, a window reloaded). */
    state?: PanelState;
    /** The host's init: a filter from a command (the Accounts tree's pre-filter). */
    initFilter?: PanelFilter;
    /** The serializer's state handed to init. */
    initState?: PanelState;
    theme?: ThemeName;
    viewport?: { width: number; height: number };
    /** The server's request handlers, shared across panels as the language server shares them (default: new ones). */
    handlers?: ViolationRequestHandlers;
}

/** The panel in a page, with the fake host's record of messages and state. */
export class FakePanel {
    readonly received: ViolationsPanelToHost[] = [];
    readonly alerts: string[] = [];
    readonly cspViolations: string[] = [];
    readonly pageErrors: string[] = [];
    private readonly waiters: { test: (m: ViolationsPanelToHost) => boolean; resolve: (m: ViolationsPanelToHost) => void }[] = [];
    /** Time spent answering requests in Node (the server's share). */
    serverMs = 0;

    constructor(
        readonly page: Page,
        private readonly handlers: ViolationRequestHandlers,
        private readonly options: OpenPanelOptions,
    ) {}

    static async open(browser: Browser, files: PanelFiles, store: Store, options: OpenPanelOptions = {}): Promise<FakePanel> {
        const page = await browser.newPage({ viewport: options.viewport ?? { width: 1400, height: 860 } });
        const panel = new FakePanel(page, options.handlers ?? violationRequestHandlers(() => store), options);
        page.on('pageerror', (err) => panel.pageErrors.push(err.message));
        page.on('console', (msg) => {
            if (msg.type() === 'error') panel.pageErrors.push(msg.text());
        });
        // A request's reply is the binding's result, posted back by the page: one round trip, like a webview's postMessage.
        await page.exposeBinding('__hostReceive', (_source, message: ViolationsPanelToHost) => panel.receive(message));
        await page.exposeBinding('__hostAlert', (_source, text: string) => {
            panel.alerts.push(text);
        });
        await page.exposeBinding('__hostCsp', (_source, text: string) => {
            panel.cspViolations.push(text);
        });
        const theme = THEMES[options.theme ?? 'dark'];
        await page.addInitScript(
            ({ initial, vars, bodyClass }) => {
                let state = initial;
                const w = window as any;
                w.acquireVsCodeApi = () => ({
                    postMessage: (message: unknown) => {
                        void w.__hostReceive(message).then((reply: unknown) => {
                            if (reply) window.postMessage(reply, '*');
                        });
                    },
                    getState: () => state,
                    // Kept in the page, as VS Code keeps it without a round trip; the tests read it with savedState().
                    setState: (next: unknown) => {
                        state = next as typeof state;
                        w.__fakeSavedState = next;
                    },
                });
                // Anything that manages to run script from data would call these.
                w.alert = (text: unknown) => w.__hostAlert(String(text));
                document.addEventListener('securitypolicyviolation', (e) => w.__hostCsp(`${e.violatedDirective} ${e.blockedURI}`));
                // VS Code sets the theme's variables on <html> and a theme class on <body>.
                const applyTheme = () => {
                    for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
                    document.body.classList.add(bodyClass);
                };
                document.addEventListener('DOMContentLoaded', applyTheme);
            },
            { initial: options.state ?? null, vars: theme.vars, bodyClass: theme.bodyClass },
        );
        await page.goto(`${files.origin}/index.html`);
        return panel;
    }

    /** What the webview last gave setState (what VS Code would restore). */
    async savedState(): Promise<PanelState | undefined> {
        return (await this.page.evaluate(() => (window as unknown as { __fakeSavedState?: PanelState }).__fakeSavedState)) ?? undefined;
    }

    /** Resolves with the next message (or one already received since `from`) that passes `test`. */
    waitForMessage(test: (m: ViolationsPanelToHost) => boolean, from = 0): Promise<ViolationsPanelToHost> {
        const seen = this.received.slice(from).find(test);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve) => this.waiters.push({ test, resolve }));
    }

    /** The requests of `method` received so far. */
    requests<M extends PanelHostMethod>(method: M): PanelHostRequests[M][0][] {
        return this.received.filter((m) => m.type === 'request' && m.method === method).map((m) => (m as { params: PanelHostRequests[M][0] }).params);
    }

    async push(message: ViolationsPanelToWebview): Promise<void> {
        await this.page.evaluate((m) => window.postMessage(m, '*'), message);
    }

    /** Waits until the panel has applied `n` query results (body[data-queries]). */
    async waitForQueries(n: number): Promise<void> {
        await this.page.waitForFunction((want) => Number(document.body.dataset.queries ?? 0) >= want, n);
    }

    /** Handles a message from the webview; resolves with the reply to post back to it, if any. */
    private async receive(message: ViolationsPanelToHost): Promise<ViolationsPanelToWebview | undefined> {
        this.received.push(message);
        for (const waiter of [...this.waiters]) {
            if (waiter.test(message)) {
                this.waiters.splice(this.waiters.indexOf(waiter), 1);
                waiter.resolve(message);
            }
        }
        if (message.type === 'ready') return { type: 'init', state: this.options.initState, filter: this.options.initFilter };
        if (message.type === 'request') {
            const started = performance.now();
            let reply: ViolationsPanelToWebview;
            try {
                reply = { type: 'reply', requestId: message.requestId, result: await this.answer(message.method, message.params) };
            } catch (err) {
                reply = { type: 'reply', requestId: message.requestId, error: err instanceof Error ? err.message : String(err) };
            }
            this.serverMs += performance.now() - started;
            return reply;
        }
        return undefined;
    }

    /** What the extension host does with each request: relay it to the server (whose handlers answer it here). */
    private async answer(method: PanelHostMethod, params: unknown): Promise<unknown> {
        switch (method) {
            case 'query':
                return this.handlers.query(params as PanelHostRequests['query'][0]);
            case 'detail':
                return this.handlers.detail(params as PanelHostRequests['detail'][0]);
            case 'triage':
                return this.handlers.triage(params as PanelHostRequests['triage'][0]);
            case 'suppress':
                return this.handlers.suppress(params as PanelHostRequests['suppress'][0]);
            case 'export': {
                const p = params as PanelHostRequests['export'][0];
                // The host writes the content to the file the user picks; the fake keeps it.
                const { content, count } = await this.handlers.export(p);
                this.exported = content;
                return { path: `/fake/violations.${p.format}`, count };
            }
        }
    }

    /** The content of the last export. */
    exported: string | undefined;

    async close(): Promise<void> {
        if (!this.options.handlers) this.handlers.dispose();
        await this.page.close();
    }
}
