/**
 * Pulumi stack state: a `pulumi stack export` file (deployment version 3) or a
 * file-backend checkpoint (`.pulumi/stacks/<project>/<stack>.json`, possibly gzipped).
 * Project and stack come from the state itself, not from the file name.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { SourcePosition } from '../../model';
import { AccountInputError } from '../accountNames';
import { secretsProviderOfState, type SecretsProviderRef } from './pulumiSecrets';

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

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
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
    const document = parseStateDocument(bytes, where);
    const { project, stack } = document;
    if (!project || !stack) throw new AccountInputError(`${where} holds no resources, so its project and stack are unknown: run \`pulumi up\` on the stack first, or export a stack that has resources`);
    return { ...document, project, stack };
}

/** Parses state text (or gzipped bytes) that may hold no resources; `where` names the file in errors. */
export function parseStateDocument(bytes: Buffer, where: string): StateDocument {
    const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (error) {
        throw new AccountInputError(`${where} is not JSON: ${(error as Error).message}. Expected the output of \`pulumi stack export\` or a .pulumi/stacks/<project>/<stack>.json file`);
    }
    if (!isRecord(data)) throw new AccountInputError(`${where} is not a Pulumi state: expected a JSON object with "deployment" or "checkpoint"`);
    // export: { version, deployment: { manifest, resources } }; file backend: { version, checkpoint: { stack, latest: { resources } } }
    const deployment = isRecord(data.deployment) ? data.deployment : isRecord(data.checkpoint) ? (isRecord(data.checkpoint.latest) ? data.checkpoint.latest : {}) : undefined;
    if (!deployment) throw new AccountInputError(`${where} is not a Pulumi state: it has neither "deployment" (pulumi stack export) nor "checkpoint" (file backend)`);
    if (data.version !== undefined && data.version !== 3) {
        throw new AccountInputError(`${where} is a version ${String(data.version)} deployment; Policy Insights reads version 3 (Pulumi 3.x). Re-export it with a current \`pulumi stack export\``);
    }
    const raw = Array.isArray(deployment.resources) ? deployment.resources : [];
    const resources: StateResource[] = [];
    raw.forEach((r, i) => {
        if (!isRecord(r) || typeof r.urn !== 'string' || typeof r.type !== 'string') throw new AccountInputError(`${where}: resources[${i}] has no "urn" or "type"`);
        resources.push(r as unknown as StateResource);
    });
    const checkpointStack = isRecord(data.checkpoint) && typeof data.checkpoint.stack === 'string' ? data.checkpoint.stack : undefined;
    const fromUrn = resources.map((r) => parseUrn(r.urn)).find((u) => u !== undefined);
    const project = fromUrn?.project;
    // a checkpoint's stack may be qualified (org/project/stack); the URN's part is the bare name
    const stack = fromUrn?.stack ?? checkpointStack?.split('/').pop();
    const secretsProvider = secretsProviderOfState(deployment.secrets_providers);
    return { ...(project ? { project } : {}), ...(stack ? { stack } : {}), resources, ...(secretsProvider ? { secretsProvider } : {}) };
}

/** Reads and parses a state file; unreadable files are reported with their path. */
export async function readStackState(path: string): Promise<StackState> {
    return parseStackState(await readStateBytes(path), path);
}

/** Reads and parses a state file that may hold no resources. */
export async function readStateDocument(path: string): Promise<StateDocument> {
    return parseStateDocument(await readStateBytes(path), path);
}

async function readStateBytes(path: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
        bytes = await readFile(path);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
        throw new AccountInputError(`cannot read the stack state ${path}: ${reason}`);
    }
    return bytes;
}
