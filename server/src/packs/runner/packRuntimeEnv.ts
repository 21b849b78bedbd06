/**
 * The environment a pack process gets for a stack, as pulumi/pulumi `constructEnv`
 * (pkg/resource/plugin/analyzer_plugin.go) builds it for a Node.js pack: PULUMI_CONFIG as
 * JSON, PULUMI_ORGANIZATION / PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN and their
 * PULUMI_NODEJS_* twins, each only when non-empty. @pulumi/pulumi reads the PULUMI_NODEJS_*
 * names and PULUMI_CONFIG once, when its runtime store is first created (runtime/state.js
 * LocalStore), which is why they must be in the environment the process starts with.
 */
import type { PackRuntimeContext } from './runnerTypes';

/** Every name `contextEnv` may set: a host never inherits them from the language server's own environment. */
const CONTEXT_VARIABLES = [
    'PULUMI_CONFIG',
    'PULUMI_CONFIG_SECRET_KEYS',
    'PULUMI_ORGANIZATION',
    'PULUMI_PROJECT',
    'PULUMI_STACK',
    'PULUMI_DRY_RUN',
    'PULUMI_NODEJS_ORGANIZATION',
    'PULUMI_NODEJS_PROJECT',
    'PULUMI_NODEJS_STACK',
    'PULUMI_NODEJS_DRY_RUN',
];

/** The variables the engine sets for this context (none for no context, as for a pack run without a stack). */
export function contextEnv(context: PackRuntimeContext | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    if (!context) return env;
    const set = (name: string, value: string | undefined) => {
        if (value) env[name] = value;
    };
    // constructConfig: JSON of `<namespace>:<key>` -> string, whenever config is given (even empty).
    if (context.config) set('PULUMI_CONFIG', JSON.stringify(context.config));
    // strconv.FormatBool never yields "", so the engine always sets the dry-run pair.
    const dryRun = String(context.dryRun ?? false);
    set('PULUMI_NODEJS_ORGANIZATION', context.organization);
    set('PULUMI_NODEJS_PROJECT', context.project);
    set('PULUMI_NODEJS_STACK', context.stack);
    set('PULUMI_NODEJS_DRY_RUN', dryRun);
    set('PULUMI_ORGANIZATION', context.organization);
    set('PULUMI_PROJECT', context.project);
    set('PULUMI_STACK', context.stack);
    set('PULUMI_DRY_RUN', dryRun);
    return env;
}

/**
 * What unlocks a state's secrets: Policy Insights reads it to decrypt a stack export, and a pack
 * (third-party code) never gets it. A pack sees decrypted values only as the engine sends them,
 * per resource; with the passphrase it could decrypt the whole state and config itself.
 */
const SECRETS_UNLOCKING_VARIABLES = ['PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE_FILE'];

/** The pack process's environment: the parent's, minus any stack context and passphrase of its own, plus this context's. */
export function packProcessEnv(context: PackRuntimeContext | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...base };
    for (const name of [...CONTEXT_VARIABLES, ...SECRETS_UNLOCKING_VARIABLES]) delete env[name];
    return Object.assign(env, contextEnv(context));
}

/** A stable key for a context: hosts are kept per pack and per context. */
export function contextKey(context: PackRuntimeContext | undefined): string {
    return JSON.stringify(contextEnv(context));
}
