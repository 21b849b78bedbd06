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

/**
 * What a pack host inherits from the scanner by default: enough to run Node and reach the network
 * (locale, time zone, temp dir, proxy and CA settings) — never cloud credentials or tokens
 * (AWS_*, AZURE_*, GOOGLE_*, GITHUB_TOKEN, PULUMI_ACCESS_TOKEN...): a pack is third-party code, and
 * one copied AWS_SECRET_ACCESS_KEY into a violation message, and so into the store. The Windows
 * names are what Node and its child processes need to start there.
 */
const INHERITED_VARIABLES = new Set([
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'LANG',
    'LANGUAGE',
    'TZ',
    'TMPDIR',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'ALL_PROXY',
    'NODE_EXTRA_CA_CERTS',
    'SYSTEMROOT',
    'WINDIR',
    'TEMP',
    'TMP',
    'USERPROFILE',
    'USERNAME',
    'APPDATA',
    'LOCALAPPDATA',
    'PATHEXT',
    'COMSPEC',
]);

/** Whether a pack host without an environment grant inherits this variable (names compare case-insensitively: http_proxy, Path). */
export function isInheritedVariable(name: string): boolean {
    const upper = name.toUpperCase();
    return INHERITED_VARIABLES.has(upper) || upper.startsWith('LC_');
}

/**
 * The pack process's environment: the stack context the engine would pass, over a minimal
 * environment from the parent (isInheritedVariable) — or, for a pack the user granted its
 * environment (`grantEnvironment`: AWSGuard's network policies call AWS), the parent's whole
 * environment. Either way without the parent's own stack context and passphrase.
 */
export function packProcessEnv(context: PackRuntimeContext | undefined, base: NodeJS.ProcessEnv = process.env, grantEnvironment = false): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(base)) {
        if (value !== undefined && (grantEnvironment || isInheritedVariable(name))) env[name] = value;
    }
    for (const name of [...CONTEXT_VARIABLES, ...SECRETS_UNLOCKING_VARIABLES]) delete env[name];
    return Object.assign(env, contextEnv(context));
}

/** A stable key for a context: hosts are kept per pack and per context. */
export function contextKey(context: PackRuntimeContext | undefined): string {
    return JSON.stringify(contextEnv(context));
}
