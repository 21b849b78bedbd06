/**
 * LSP wiring for policy packs: validation as you type and on save, language features,
 * scaffold / install / publish / remove requests. Logic lives in packs/ and registry/.
 */
import * as path from 'node:path';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { lazyModule } from './lazyModule';
import {
    InstallDependenciesRequest,
    InstallOutputNotification,
    ListTemplatesRequest,
    RunPolicyRequest,
    PublishPackRequest,
    RemovePackVersionRequest,
    ScaffoldPackRequest,
} from '../shared/protocol';
import { untrustedError, type ServerContext } from './serverContext';

// Pack support (TypeScript, the scanners' type lists, the runner's checks) loads with the first pack document or pack request.
const packDocuments = lazyModule(() => import('../packs/packDocuments'));
const languageFeatures = lazyModule(() => import('../packs/languageFeatures'));
const runtimeChecks = lazyModule(() => import('../packs/runtimeCheck'));
const validatedTypes = lazyModule(async () => ({ ...(await import('../packs/validatedTypes')), ...(await import('../accounts/discoverableTypes')) }));
const packSyntax = lazyModule(() => import('../packs/packSyntax'));
const workingCopyRun = lazyModule(() => import('../packs/workingCopyRun'));
const npmInstall = lazyModule(() => import('../packs/npmInstall'));
const scaffold = lazyModule(() => import('../packs/scaffold'));
const registry = lazyModule(async () => ({ ...(await import('../registry/publish')), ...(await import('../registry/remove')) }));


/** Static diagnostics per document plus the last runtime check per pack, published together. */
class PackDiagnostics {
    private readonly staticByUri = new Map<string, Diagnostic[]>();
    private readonly runtimeByPack = new Map<string, Map<string, Diagnostic[]>>();

    constructor(private readonly ctx: ServerContext) {}

    setStatic(doc: TextDocument, diagnostics: Diagnostic[]): void {
        this.staticByUri.set(doc.uri, diagnostics);
        this.publish(doc.uri);
    }

    setRuntime(packDir: string, byUri: Map<string, Diagnostic[]>): void {
        const before = this.runtimeByPack.get(packDir);
        this.runtimeByPack.set(packDir, byUri);
        for (const uri of new Set([...(before?.keys() ?? []), ...byUri.keys()])) this.publish(uri);
    }

    /** Where the pack validates types no account discovers: they follow the accounts, not the text, so they are kept apart. */
    setTypeWarnings(packDir: string, byUri: Map<string, Diagnostic[]>): void {
        this.setRuntime(`${packDir}\0validated-types`, byUri);
    }

    hasTypeWarnings(packDir: string): boolean {
        return this.runtimeByPack.has(`${packDir}\0validated-types`);
    }

    forget(uri: string): void {
        this.staticByUri.delete(uri);
        void this.ctx.connection.sendDiagnostics({ uri, diagnostics: [] });
    }

    private publish(uri: string): void {
        const runtime = [...this.runtimeByPack.values()].flatMap((m) => m.get(uri) ?? []);
        void this.ctx.connection.sendDiagnostics({
            uri,
            version: this.ctx.documents.get(uri)?.version,
            diagnostics: [...(this.staticByUri.get(uri) ?? []), ...runtime],
        });
    }
}

function installAction(diagnostic: Diagnostic): CodeAction | undefined {
    const packDir = (diagnostic.data as { packDir?: string } | undefined)?.packDir;
    if (diagnostic.code !== 'missing-dependencies' || !packDir) return undefined;
    return {
        title: `Install dependencies (npm install in ${path.basename(packDir)})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: true,
        command: { title: 'Install dependencies', command: 'policyInsights.installDependencies', arguments: [packDir] },
    };
}

/** Registers the pack handlers; returns the pack quick fixes for server.ts's one code action handler. */
export function registerPackHandlers(ctx: ServerContext): { codeActions(params: CodeActionParams): Promise<CodeAction[]> } {
    const { connection, documents } = ctx;
    const diagnostics = new PackDiagnostics(ctx);

    async function checkAtRuntime(packDir: string): Promise<void> {
        if (!ctx.isTrusted()) return;
        try {
            const result = await (await runtimeChecks()).runtimeCheck(ctx.runner, packDir);
            diagnostics.setRuntime(packDir, result.diagnostics);
        } catch (err) {
            connection.console.error(`Runtime check of ${packDir} failed: ${err instanceof Error ? err.stack : String(err)}`);
        }
    }

    /**
     * On open and save, like the runtime check (positions move while typing until the next
     * save). Reads the store and the provider packages' text, runs nothing, so it needs no trust.
     */
    async function checkValidatedTypes(packDir: string, doc: TextDocument): Promise<void> {
        try {
            const accounts = (await ctx.store().readCatalog()).accounts;
            if (!accounts.length && !diagnostics.hasTypeWarnings(packDir)) return;
            const { undiscoveredTypeDiagnostics, discoverableTypes } = await validatedTypes();
            const found = accounts.length ? undiscoveredTypeDiagnostics(doc, packDir, discoverableTypes(accounts)) : [];
            diagnostics.setTypeWarnings(packDir, new Map([[doc.uri, found]]));
        } catch (err) {
            connection.console.error(`Checking the types ${packDir} validates failed: ${err instanceof Error ? err.stack : String(err)}`);
        }
    }

    documents.onDidChangeContent(async ({ document }) => {
        const found = (await packDocuments()).staticDiagnostics(document);
        if (found) diagnostics.setStatic(document, found);
    });
    documents.onDidOpen(async ({ document }) => {
        const packFile = (await packDocuments()).packFileOf(document.uri);
        if (packFile?.kind === 'source') {
            void checkAtRuntime(packFile.packDir);
            void checkValidatedTypes(packFile.packDir, document);
        }
    });
    documents.onDidSave(async ({ document }) => {
        const packFile = (await packDocuments()).packFileOf(document.uri);
        if (packFile) void checkAtRuntime(packFile.packDir);
        if (packFile?.kind === 'source') void checkValidatedTypes(packFile.packDir, document);
    });
    documents.onDidClose(async ({ document }) => {
        if ((await packDocuments()).packFileOf(document.uri)) diagnostics.forget(document.uri);
    });

    async function packSource(uri: string): Promise<TextDocument | undefined> {
        const doc = documents.get(uri);
        return doc && (await packDocuments()).packFileOf(uri)?.kind === 'source' ? doc : undefined;
    }
    connection.onCompletion(async ({ textDocument, position }) => {
        const doc = await packSource(textDocument.uri);
        return doc ? (await languageFeatures()).completionsAt(doc, position) : [];
    });
    connection.onHover(async ({ textDocument, position }) => {
        const doc = await packSource(textDocument.uri);
        return doc ? (await languageFeatures()).hoverAt(doc, position) : null;
    });

    // "Run against <account>" above each policy of a pack source, once an account has resources.
    connection.onCodeLens(async ({ textDocument }) => {
        const doc = await packSource(textDocument.uri);
        if (!doc || !ctx.isTrusted()) return [];
        const scanned = (await ctx.store().readCatalog()).accounts.filter((a) => a.scanStatus && a.scanStatus.resourceCount > 0);
        if (!scanned.length) return [];
        const packDir = (await packDocuments()).packFileOf(doc.uri)!.packDir;
        const { policyNameRanges } = await packSyntax();
        const title = scanned.length === 1 ? `$(play) Run against ${scanned[0].name}` : '$(play) Run against an account…';
        return policyNameRanges(doc).map(({ name, range }) => ({
            range,
            command: { title, command: 'policyInsights.runPolicyAgainstAccount', arguments: [{ packDir, policyName: name, account: scanned.length === 1 ? scanned[0].name : undefined }] },
        }));
    });
    connection.onRequest(RunPolicyRequest.type, async (params) => {
        if (!ctx.isTrusted()) throw untrustedError('run policy packs');
        const result = await (await workingCopyRun()).runPolicyOnAccount(ctx.store(), ctx.runner, params);
        return {
            policyName: result.policyName,
            account: result.account,
            resourceCount: result.resourceCount,
            findings: result.diagnostics.map((d) => ({ urn: d.urn, message: d.message, enforcementLevel: d.enforcementLevel })),
            errors: result.errors.map((e) => `${e.policyName ?? ''}${e.urn ? ` on ${e.urn}` : ''}: ${e.message}`),
        };
    });

    connection.onRequest(ListTemplatesRequest.type, async () => (await scaffold()).listTemplates().map(({ name, description, language }) => ({ name, description, language })));
    connection.onRequest(ScaffoldPackRequest.type, async (params) => {
        const result = await (await scaffold()).scaffoldPack(params);
        return { packName: result.packName, dir: result.dir, entry: result.entry, files: result.files };
    });
    connection.onRequest(InstallDependenciesRequest.type, async ({ dir }, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        await (await npmInstall()).installDependencies(dir, {
            signal: controller.signal,
            onOutput: (text) => void connection.sendNotification(InstallOutputNotification.type, { dir, text }),
        });
        await checkAtRuntime(dir);
    });
    connection.onRequest(PublishPackRequest.type, async ({ packDir }) => {
        if (!ctx.isTrusted()) throw untrustedError('publish policy packs');
        return (await registry()).publishPack(ctx.store(), {
            packDir,
            inspect: (dir) => ctx.runner.loadPack(dir),
            onProgress: (message) => connection.console.info(message),
        });
    });
    connection.onRequest(RemovePackVersionRequest.type, async ({ pack, versionTag }) => (await registry()).removePackVersions(ctx.store(), pack, versionTag));
    return {
        async codeActions({ textDocument, context }) {
            const doc = documents.get(textDocument.uri);
            if (!doc || !(await packDocuments()).packFileOf(textDocument.uri)) return [];
            const installs = context.diagnostics.map(installAction).filter((a): a is CodeAction => !!a);
            return [...(await languageFeatures()).codeActionsFor(doc, context.diagnostics), ...installs];
        },
    };
}
