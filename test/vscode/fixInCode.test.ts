// The quick fixes on a Pulumi program, as VS Code asks for them (issue 9): the workspace's
// demo-infra stack is added from its `pulumi stack export` file (its resources' sourcePosition
// points at demo-infra/index.ts in the test workspace), aws-compliance-typescript (whose
// s3-no-public-acl is at remediate) applies to it through a stacks group, and the
// remediation of site-assets shows on the program line that creates it. VS Code's own code
// action command must then offer "Fix in code", "Suppress…" and "Show in Policy Violations";
// the fix edits the literal, and the Suppress action's command suppresses the violation.
// Commands are driven with arguments instead of prompts. Waits are on events.
import * as assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { env, until } from './waits';

const EXTENSION_ID = 'policy-insights.policy-insights';
const PACK = 'aws-compliance-typescript';
const POLICY = 's3-no-public-acl';
const GROUP = 'stack-remediations';
const STACK = 'fix-in-code-stack';

interface Api {
    ready: Promise<void>;
}

function workspaceFile(...parts: string[]): vscode.Uri {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the suite runs with the demo workspace open (test/harness/runVscodeTests.mjs --folder)');
    return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** A diagnostic's code as the server sent it (with a codeDescription, VS Code holds `{ value, target }`). */
function codeOf(d: vscode.Diagnostic): string | number | undefined {
    return typeof d.code === 'object' ? d.code.value : d.code;
}

/** The remediation diagnostic of s3-no-public-acl on the program line that creates `bucket`. */
function remediationDiagnostic(program: vscode.TextDocument, bucket: string): vscode.Diagnostic | undefined {
    const line = program.getText().split('\n').findIndex((l) => l.includes(`new aws.s3.Bucket("${bucket}"`));
    return vscode.languages
        .getDiagnostics(program.uri)
        .find((d) => d.source === 'Policy Insights' && codeOf(d) === POLICY && d.severity === vscode.DiagnosticSeverity.Information && d.range.start.line === line);
}

export function defineFixInCodeSuite(): void {
    suite('Quick fixes on a Pulumi program (Fix in code, Suppress, Show in Policy Violations)', () => {
        const programUri = () => workspaceFile('demo-infra', 'index.ts');
        let program: vscode.TextDocument;
        let diagnostic: vscode.Diagnostic;
        let actions: vscode.CodeAction[];

        suiteSetup(async () => {
            const api = (await vscode.extensions.getExtension<Api>(EXTENSION_ID)!.activate())!;
            await api.ready;
        });

        test(`a stack whose ${PACK} remediation is on demo-infra/index.ts shows it as a diagnostic on the program line`, async function () {
            // Publishing bundles the pack (about 15 s on 2 cores), then the stack is imported and evaluated.
            this.timeout(240_000);
            const packDir = path.join(mkdtempSync(path.join(tmpdir(), 'pi-vscode-fix-')), PACK);
            const written = (await vscode.commands.executeCommand('policyInsights.newPolicyPack', { template: PACK, dir: packDir, install: false })) as { entry: string } | undefined;
            assert.ok(written, `New Policy Pack ${PACK} returned nothing (see the error notification)`);
            // Dependencies (@pulumi/policy, @pulumi/aws): the repository's (npm install would need the network).
            symlinkSync(path.join(env('POLICY_INSIGHTS_TEST_REPO'), 'node_modules'), path.join(packDir, 'node_modules'), 'dir');
            const published = (await vscode.commands.executeCommand('policyInsights.publishPolicyPack', packDir)) as { name: string } | undefined;
            assert.equal(published?.name, PACK);
            await vscode.commands.executeCommand('policyInsights.createPolicyGroup', { name: GROUP, entityType: 'stacks', mode: 'audit' });
            // No config: the template's own levels, s3-no-public-acl at remediate.
            await vscode.commands.executeCommand('policyInsights.addPackToGroup', GROUP, { pack: PACK, versionTag: 'latest', config: {} });

            program = await vscode.workspace.openTextDocument(programUri());
            await vscode.window.showTextDocument(program);
            const shown = until(
                [vscode.languages.onDidChangeDiagnostics],
                async () => remediationDiagnostic(program, 'site-assets') !== undefined,
                `the ${POLICY} remediation diagnostic on the site-assets line of ${program.uri.fsPath}`,
                180_000,
            );
            const account = (await vscode.commands.executeCommand('policyInsights.addPulumiStack', {
                name: STACK,
                stateFile: workspaceFile('demo-infra', 'demo-infra.dev.export.json').fsPath,
            })) as { name: string } | undefined;
            assert.equal(account?.name, STACK, 'Add Pulumi Stack failed (see the error notification)');
            await vscode.commands.executeCommand('policyInsights.addAccountToGroup', GROUP, STACK);
            await shown.catch((err: Error) => {
                const present = vscode.languages.getDiagnostics(program.uri).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${codeOf(d)} (${d.severity}) ${d.message.split('\n')[0]}`);
                const elsewhere = vscode.languages.getDiagnostics().filter(([, ds]) => ds.some((d) => d.source === 'Policy Insights')).map(([uri, ds]) => `${uri.toString()} (${ds.length})`);
                throw new Error(`${err.message}; on the program: ${present.join('; ') || 'none'}; Policy Insights diagnostics on: ${elsewhere.join(', ') || 'no file'}`);
            });
            diagnostic = remediationDiagnostic(program, 'site-assets')!;
            assert.match(diagnostic.message, /^Would change acl: public-read \u2192 private\n/);
        });

        test('VS Code offers Fix in code, Suppress… and Show in Policy Violations for it', async () => {
            const all = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', program.uri, diagnostic.range)) as vscode.CodeAction[];
            // vscode.executeCodeActionProvider returns no action's diagnostics: ours are told from the
            // mandatory s3-no-public-acl's on the same line by their titles, which name the remediation.
            const titles = ['Fix in code: acl: public-read \u2192 private', `Suppress the ${POLICY} remediation on this resource\u2026`, `Show the ${POLICY} remediation in Policy Violations`];
            actions = titles.map((title) => all.find((a) => a.title === title)).filter((a): a is vscode.CodeAction => a !== undefined);
            assert.deepEqual(actions.map((a) => a.title), titles, `all code actions at ${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1}: ${all.map((a) => a.title).join('; ')}`);
            // The mandatory violation on the same line keeps its own, under its own names.
            assert.ok(all.some((a) => a.title === `Suppress ${POLICY} on this resource\u2026`), 'the mandatory s3-no-public-acl has its Suppress too');
            // Fix in code is the preferred fix: VS Code sorts it first in the menu.
            assert.equal(all[0].title, titles[0]);
        });

        test('Fix in code writes "private" into the program', async () => {
            const fix = actions.find((a) => a.title.startsWith('Fix in code'))!;
            assert.ok(fix.edit, 'Fix in code carries no edit');
            const line = diagnostic.range.start.line;
            assert.ok(await vscode.workspace.applyEdit(fix.edit), 'VS Code refused the edit');
            const text = program.getText();
            const constructor = text.split('\n').slice(line, line + 4).join('\n');
            assert.match(constructor, /new aws\.s3\.Bucket\("site-assets", \{\s*acl: "private",/);
            assert.ok(!constructor.includes('public-read'), constructor);
            await program.save();
        });

        test('the Suppress action\u2019s command suppresses the violation and takes the diagnostic off the program', async () => {
            const suppress = actions.find((a) => a.title.startsWith('Suppress'))!;
            assert.ok(suppress.command, 'Suppress carries no command');
            const gone = until(
                [vscode.languages.onDidChangeDiagnostics],
                async () => remediationDiagnostic(program, 'site-assets') === undefined,
                'the remediation diagnostic to go once suppressed',
            );
            const now = new Date();
            const until_ = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
            // The answers to its two prompts (reason, until), as the command takes them from a test.
            const suppressed = (await vscode.commands.executeCommand(suppress.command.command, ...(suppress.command.arguments ?? []), {
                reason: 'Fixed in code; deployed with the next pulumi up',
                until: until_,
            })) as { policyName?: string; level?: string; suppression?: { until?: string } } | undefined;
            assert.deepEqual([suppressed?.policyName, suppressed?.level], [POLICY, 'remediate'], 'the action suppresses the remediation record, not the mandatory violation on the same line');
            assert.equal(suppressed?.suppression?.until?.slice(0, 10), until_, `Suppress returned ${JSON.stringify(suppressed)}`);
            await gone;
        });
    });
}
