/**
 * Pulumi stack state: a `pulumi stack export` file (deployment version 3) or a
 * file-backend checkpoint (`.pulumi/stacks/<project>/<stack>.json`, possibly gzipped).
 * Project and stack come from the state itself, not from the file name.
 */
import type { SourcePosition } from '../../shared/model';
import { AccountInputError } from '../accountNames';
import type { SecretsProviderRef } from './pulumiSecrets';
import { parseStateBytes, streamStateFile, type StateReadOptions, type StateResourceSink, type StateSummary } from './stateStream';

export { STATE_MAX_BYTES, STATE_MAX_DEPTH } from './stateStream';

/** One resource of the state, as Pulumi wrote it. */
export interface StateResource {
    urn: string;
    type: string;
    id?: string;
    custom?: boolean;
    provider?: string;
    parent?: string;
    dependencies?: string[];
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    sourcePosition?: string;
    delete?: boolean;
    protect?: boolean;
    ignoreChanges?: string[];
    additionalSecretOutputs?: string[];
    aliases?: string[];
    /** Seconds. */
    customTimeouts?: { create?: number; update?: number; delete?: number; read?: number };
    propertyDependencies?: Record<string, string[]>;
}

/** A state as read, before anything is required of it (it may hold no resources). */
export interface StateDocument {
    /** From the first valid URN; undefined when there is none. */
    project?: string;
    stack?: string;
    resources: StateResource[];
    /** `deployment.secrets_providers`: who can decrypt the state's secrets. */
    secretsProvider?: SecretsProviderRef;
}

export interface StackState extends StateDocument {
    project: string;
    stack: string;
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` split into its parts. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } | undefined {
    if (!urn.startsWith('urn:pulumi:')) return undefined;
    const parts = urn.slice('urn:pulumi:'.length).split('::');
    if (parts.length < 4) return undefined;
    const qualified = parts[2];
    // names may themselves contain "::"
    return { stack: parts[0], project: parts[1], type: qualified.slice(qualified.lastIndexOf('$') + 1), name: parts.slice(3).join('::') };
}

/**
 * `project:///path/index.ts#12,5` (Pulumi's sourcePosition) as a uri, line and column;
 * the uri keeps Pulumi's form so the client can resolve it against the project folder.
 */
export function parseSourcePosition(value: unknown): SourcePosition | undefined {
    if (typeof value !== 'string') return undefined;
    const match = /^(.*)#(\d+)(?:,(\d+))?$/.exec(value);
    if (!match) return undefined;
    return { uri: match[1], line: Number(match[2]), ...(match[3] ? { column: Number(match[3]) } : {}) };
}

/** Parses state text (or gzipped bytes); `where` names the file in errors. A state without resources is refused. */
export function parseStackState(bytes: Buffer, where: string): StackState {
    return requireIdentity(parseStateDocument(bytes, where), where);
}

/** Parses state text (or gzipped bytes) that may hold no resources; `where` names the file in errors. */
export function parseStateDocument(bytes: Buffer, where: string): StateDocument {
    const resources: StateResource[] = [];
    return documentOf(parseStateBytes(bytes, where, (r) => resources.push(r)), resources);
}

/** Reads and parses a state file; unreadable files are reported with their path. */
export async function readStackState(path: string, options?: StateReadOptions): Promise<StackState> {
    return requireIdentity(await readStateDocument(path, options), path);
}

/** Reads and parses a state file that may hold no resources. */
export async function readStateDocument(path: string, options?: StateReadOptions): Promise<StateDocument> {
    const resources: StateResource[] = [];
    return documentOf(await streamStateFile(path, (r) => resources.push(r), options), resources);
}

/**
 * Streams a state file that must hold resources to `sink`, one resource at a time; resolves with
 * the state's project and stack. What a caller that keeps less than every parsed resource uses
 * (a check before adding the account, an import that keeps only the redacted form).
 */
export async function streamStackState(path: string, sink: StateResourceSink, options?: StateReadOptions): Promise<StateSummary & { project: string; stack: string }> {
    return requireIdentity(await streamStateFile(path, sink, options), path);
}

function documentOf({ project, stack, secretsProvider }: StateSummary, resources: StateResource[]): StateDocument {
    return { ...(project ? { project } : {}), ...(stack ? { stack } : {}), resources, ...(secretsProvider ? { secretsProvider } : {}) };
}

function requireIdentity<T extends { project?: string; stack?: string }>(state: T, where: string): T & { project: string; stack: string } {
    const { project, stack } = state;
    if (!project || !stack) throw new AccountInputError(`${where} holds no resources, so its project and stack are unknown: run \`pulumi up\` on the stack first, or export a stack that has resources`);
    return { ...state, project, stack };
}
