/**
 * A stack's config (`Pulumi.<stack>.yaml`) as the engine hands it to a policy pack process
 * (PULUMI_CONFIG): keys namespaced as Pulumi does (`<project>:key` for a bare key), values as
 * strings (objects and arrays as JSON), `secure:` values decrypted with the stack's passphrase
 * (`encryptionsalt`) when it can be had, else "[secret]".
 */
import type { PackRuntimeContext } from '../../runner';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AccountInputError } from '../accountNames';
import { openSecrets, type SecretsReader } from './pulumiSecrets';

export interface StackConfig {
    file: string;
    config: Record<string, string>;
    /** Why secure values were redacted, once; undefined when none were. */
    warning?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
    try {
        await readFile(file);
        return true;
    } catch {
        return false;
    }
}

/**
 * The config file of a state's stack: the one given, else `Pulumi.<stack>.yaml` beside the state
 * when a `Pulumi.yaml` there names the state's project (the state lives in its project's folder).
 */
export async function findStackConfigFile(stateFile: string, project: string, stack: string): Promise<string | undefined> {
    const dir = path.dirname(path.resolve(stateFile));
    const projectFile = ['Pulumi.yaml', 'Pulumi.yml'].map((f) => path.join(dir, f));
    for (const file of projectFile) {
        let text: string;
        try {
            text = await readFile(file, 'utf8');
        } catch {
            continue;
        }
        let name: unknown;
        try {
            name = (parseYaml(text) as { name?: unknown } | null)?.name;
        } catch {
            return undefined;
        }
        if (name !== project) return undefined;
        const candidate = path.join(dir, `Pulumi.${stack}.yaml`);
        return (await exists(candidate)) ? candidate : undefined;
    }
    return undefined;
}

/** `key` as Pulumi names it in PULUMI_CONFIG: bare keys belong to the project. */
export function namespacedKey(key: string, project: string): string {
    return key.includes(':') ? key : `${project}:${key}`;
}

function configValue(value: unknown, secrets: SecretsReader): unknown {
    if (isObject(value)) {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === 'secure' && typeof value.secure === 'string') return secrets.decryptConfigValue(value.secure);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, configValue(v, secrets)]));
    }
    if (Array.isArray(value)) return value.map((v) => configValue(v, secrets));
    return value;
}

function hasSecure(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(hasSecure);
    if (!isObject(value)) return false;
    return typeof value.secure === 'string' || Object.values(value).some(hasSecure);
}

/** Reads a `Pulumi.<stack>.yaml`; unreadable or malformed files are bad input, named. */
export async function readStackConfig(file: string, project: string, env: NodeJS.ProcessEnv): Promise<StackConfig> {
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        throw new AccountInputError(`cannot read the stack config ${file}: ${(error as Error).message}`);
    }
    let document: unknown;
    try {
        document = parseYaml(text) ?? {};
    } catch (error) {
        throw new AccountInputError(`the stack config ${file} is not valid YAML: ${(error as Error).message}`);
    }
    if (!isObject(document)) throw new AccountInputError(`the stack config ${file} must be a YAML mapping with a "config" member`);
    const raw = document.config ?? {};
    if (!isObject(raw)) throw new AccountInputError(`the stack config ${file}: "config" must be a mapping of key to value`);
    // a stack with another secrets provider names it in `secretsprovider`; the passphrase provider keeps its salt in `encryptionsalt`
    const provider =
        typeof document.encryptionsalt === 'string'
            ? { type: 'passphrase', passphraseState: document.encryptionsalt }
            : typeof document.secretsprovider === 'string'
              ? { type: document.secretsprovider.split(':')[0] }
              : undefined;
    const secrets = await openSecrets(provider, file, env, hasSecure(raw));
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
        const resolved = configValue(value, secrets);
        config[namespacedKey(key, project)] = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    }
    const warning = secrets.warning();
    return { file, config, ...(warning ? { warning } : {}) };
}

/** What the engine tells a stack's packs (project, stack, its config, not a dry run), and the config file it came from. */
export interface StackRuntimeContext {
    context: PackRuntimeContext;
    configFile?: string;
    /** Why secure config values were redacted, once. */
    warning?: string;
}

/**
 * The runtime context of a stack whose state is `stateFile`: the config from `configFile`, else
 * from `Pulumi.<stack>.yaml` beside the state (see findStackConfigFile). One home for
 * `analyze --file` and the evaluation of stored stacks, so both give packs the same context.
 */
export async function stackRuntimeContext(stateFile: string, project: string, stack: string, env: NodeJS.ProcessEnv, configFile?: string): Promise<StackRuntimeContext> {
    const context: PackRuntimeContext = { project, stack, dryRun: false };
    const file = configFile ?? (await findStackConfigFile(stateFile, project, stack));
    if (!file) return { context };
    const stackConfig = await readStackConfig(file, project, env);
    context.config = stackConfig.config;
    return { context, configFile: file, ...(stackConfig.warning ? { warning: stackConfig.warning } : {}) };
}
