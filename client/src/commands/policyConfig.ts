/**
 * Pack config in VS Code: "Configure Policy…" (a policy's configuration properties, asked one
 * typed step at a time from its configSchema; see policyConfigForm.ts for why steps) and
 * "Validate Config File…" (a JSON/YAML file against a published pack version). Both check with
 * the server's ValidatePackConfig request, i.e. with `policy validate-config`'s rules.
 */
import * as vscode from 'vscode';
import type { AppliedPolicyPack, PolicyGroup, PolicyInfo, PolicyPackVersion } from '../../../server/src/shared/model';
import type { ValidatePackConfigResult } from '../../../server/src/shared/protocol';
import type { ServerApi } from '../serverApi';
import { AppliedPackNode } from '../views/groupsTreeProvider';
import { pickGroup, publishedVersionOf } from './groups';
import { configWithProperties, currentProperties, initialText, parseAnswer, propertySteps, type PropertyStep } from './policyConfigForm';
import { showFailure } from '../showFailure';


function listProblems(result: ValidatePackConfigResult): string {
    return result.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}

/** What Configure Policy… was invoked on: a pack binding of the Groups tree, or a group name with the pack (tests, scripts). */
interface ConfigureTarget {
    group: PolicyGroup;
    applied: AppliedPolicyPack;
}

async function pickBinding(server: ServerApi, node: unknown, pack: string | undefined): Promise<ConfigureTarget | undefined> {
    if (node instanceof AppliedPackNode) return { group: node.group, applied: node.applied };
    const group = await pickGroup(server, node, 'Configure Policy');
    if (!group) return undefined;
    if (!group.appliedPolicyPacks.length) {
        void vscode.window.showInformationMessage(`Policy group ${group.name} has no policy pack to configure. Add one with Add Policy Pack to Group….`);
        return undefined;
    }
    const applied =
        group.appliedPolicyPacks.find((p) => p.name === pack) ??
        (pack === undefined
            ? (
                  await vscode.window.showQuickPick(
                      group.appliedPolicyPacks.map((p) => ({ label: p.name, description: p.versionTag, applied: p })),
                      { title: `Configure Policy in ${group.name}`, placeHolder: 'Policy pack' },
                  )
              )?.applied
            : undefined);
    if (!applied && pack !== undefined) throw new Error(`policy group ${group.name} has no binding of ${pack} (bound: ${group.appliedPolicyPacks.map((p) => p.name).join(', ')})`);
    return applied ? { group, applied } : undefined;
}

async function pickConfigurablePolicy(version: PolicyPackVersion, policy: string | undefined, title: string): Promise<PolicyInfo | undefined> {
    const configurable = version.policies.filter((p) => Object.keys(p.configSchema?.properties ?? {}).length > 0);
    if (!configurable.length) {
        void vscode.window.showInformationMessage(
            `No policy of ${version.name}@${version.versionTag} has configuration properties. Enforcement levels are set with Add Policy Pack to Group….`,
        );
        return undefined;
    }
    if (policy !== undefined) {
        const found = configurable.find((p) => p.name === policy);
        if (!found) throw new Error(`${version.name}@${version.versionTag} has no configurable policy ${policy} (configurable: ${configurable.map((p) => p.name).join(', ')})`);
        return found;
    }
    return (
        await vscode.window.showQuickPick(
            configurable.map((p) => ({
                label: p.name,
                description: `${Object.keys(p.configSchema?.properties ?? {}).length} propert${Object.keys(p.configSchema?.properties ?? {}).length === 1 ? 'y' : 'ies'}`,
                detail: p.description,
                policy: p,
            })),
            { title, placeHolder: 'Policy to configure' },
        )
    )?.policy;
}

/** Sentinel of a cancelled step (undefined is a real answer: "leave it unset"). */
const CANCELLED = Symbol('cancelled');

/**
 * Asks one property. Picks for booleans and enums; an input box otherwise, whose validateInput
 * asks the server about this property with the rest of the config as it stands.
 */
async function askProperty(
    step: PropertyStep,
    title: string,
    check: (value: unknown) => Promise<string | undefined>,
): Promise<unknown> {
    const placeHolder = `${step.property}${step.description ? `: ${step.description}` : ''}`;
    const defaultNote = step.defaultValue !== undefined ? ` (default ${JSON.stringify(step.defaultValue)})` : '';
    if (step.kind === 'boolean' || step.kind === 'enum') {
        const values = step.kind === 'boolean' ? [true, false] : step.values;
        const picked = await vscode.window.showQuickPick(
            values.map((value) => ({
                label: typeof value === 'string' ? value : JSON.stringify(value),
                description: [
                    JSON.stringify(value) === JSON.stringify(step.current) ? '(current)' : undefined,
                    JSON.stringify(value) === JSON.stringify(step.defaultValue) ? '(default)' : undefined,
                ].filter(Boolean).join(' ') || undefined,
                value,
            })),
            { title, placeHolder },
        );
        return picked ? picked.value : CANCELLED;
    }
    const text = await vscode.window.showInputBox({
        title,
        prompt: `${placeHolder}${defaultNote}. ${step.kind === 'json' ? 'A JSON value. ' : ''}Empty: leave it unset${step.defaultValue !== undefined ? ' (the default applies)' : ''}.`,
        value: initialText(step),
        validateInput: async (input) => {
            const parsed = parseAnswer(step, input);
            if ('problem' in parsed) return parsed.problem;
            return check(parsed.value);
        },
    });
    if (text === undefined) return CANCELLED;
    const parsed = parseAnswer(step, text);
    return 'problem' in parsed ? CANCELLED : parsed.value;
}

export interface ConfigurePolicyArgs {
    pack?: string;
    policy?: string;
}

export function registerPolicyConfigCommands(server: ServerApi, output: vscode.LogOutputChannel): vscode.Disposable[] {
    return [
        vscode.commands.registerCommand('policyInsights.configurePolicy', async (node?: unknown, args?: ConfigurePolicyArgs) => {
            try {
                const target = await pickBinding(server, node, args?.pack);
                if (!target) return undefined;
                const { group, applied } = target;
                const version = publishedVersionOf(await server.listPacks(), applied.name, applied.versionTag);
                if (!version) throw new Error(`${applied.name}@${applied.versionTag} is no longer published; bind another version with Add Policy Pack to Group…`);
                const policy = await pickConfigurablePolicy(version, args?.policy, `Configure ${applied.name}@${version.versionTag} in ${group.name}`);
                if (!policy) return undefined;
                const properties = currentProperties(applied.config, policy.name);
                const steps = propertySteps(policy, properties);
                for (const [i, step] of steps.entries()) {
                    const title = `Configure ${policy.name} in ${group.name} (${i + 1}/${steps.length})`;
                    const check = async (value: unknown) => {
                        const config = configWithProperties(applied.config, policy.name, { ...properties, [step.property]: value });
                        const result = await server.validatePackConfig({ pack: applied.name, versionTag: version.versionTag, config, only: { policy: policy.name, property: step.property } });
                        return result.errors.length ? result.errors.map((e) => e.message).join('; ') : undefined;
                    };
                    const value = await askProperty(step, title, check);
                    if (value === CANCELLED) return undefined;
                    if (value === undefined) delete properties[step.property];
                    else properties[step.property] = value;
                }
                const config = configWithProperties(applied.config, policy.name, properties);
                const result = await server.validatePackConfig({ pack: applied.name, versionTag: version.versionTag, config });
                if (result.errors.length) {
                    void vscode.window.showErrorMessage(`Configure ${policy.name}: the config is not valid for ${applied.name}@${result.versionTag}, nothing was changed: ${listProblems(result)}`);
                    return undefined;
                }
                // the binding keeps its version (latest or the pinned tag); the server stamps when its config changed
                const updated = await server.enablePack({ group: group.name, pack: applied.name, versionTag: applied.versionTag, config });
                output.info(`Configured ${policy.name} of ${applied.name} in ${group.name}: ${JSON.stringify(config[policy.name] ?? {})}`);
                void vscode.window.showInformationMessage(`Configured ${policy.name} of ${applied.name} in policy group ${group.name}.`);
                return updated;
            } catch (err) {
                showFailure(output, 'Configure Policy', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.validateConfigFile', async (uri?: vscode.Uri, args?: { pack?: string; versionTag?: string }) => {
            try {
                const file =
                    (uri instanceof vscode.Uri ? uri : undefined)?.fsPath ??
                    (
                        await vscode.window.showOpenDialog({
                            title: 'Validate Config File: a policy pack config (JSON or YAML)',
                            openLabel: 'Validate',
                            canSelectMany: false,
                            filters: { 'Policy pack config': ['json', 'yaml', 'yml'] },
                            defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
                        })
                    )?.[0]?.fsPath;
                if (!file) return undefined;
                const versions = await server.listPacks();
                if (!versions.length) {
                    void vscode.window.showInformationMessage('No policy pack is published yet: a config is validated against a published version.');
                    return undefined;
                }
                const pack = args?.pack ?? (await vscode.window.showQuickPick([...new Set(versions.map((v) => v.name))], { title: 'Validate Config File', placeHolder: 'Policy pack the config is for' }));
                if (!pack) return undefined;
                const ofPack = versions.filter((v) => v.name === pack);
                const versionTag =
                    args?.versionTag ??
                    (
                        await vscode.window.showQuickPick(
                            [{ label: 'latest', description: `now ${ofPack[0]?.versionTag}` }, ...ofPack.map((v) => ({ label: v.versionTag, description: `version ${v.version}` }))],
                            { title: `Validate Config File for ${pack}`, placeHolder: 'Version' },
                        )
                    )?.label;
                if (!versionTag) return undefined;
                const result = await server.validatePackConfig({ pack, versionTag, file });
                if (!result.errors.length) {
                    void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(file)} is a valid config for ${pack}@${result.versionTag}.`);
                    return result;
                }
                for (const e of result.errors) output.warn(`${file}: ${e.path}: ${e.message}`);
                void vscode.window
                    .showWarningMessage(
                        `${result.errors.length} problem(s) in ${vscode.workspace.asRelativePath(file)} for ${pack}@${result.versionTag}: ${listProblems(result)}`,
                        'Open File',
                        'Show Output',
                    )
                    .then(async (choice) => {
                        if (choice === 'Open File') await vscode.window.showTextDocument(vscode.Uri.file(file));
                        if (choice === 'Show Output') output.show(true);
                    });
                return result;
            } catch (err) {
                showFailure(output, 'Validate Config File', err);
                return undefined;
            }
        }),
    ];
}
