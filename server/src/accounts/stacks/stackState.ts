/**
 * Pulumi stack state: a `pulumi stack export` file (deployment version 3) or a
 * file-backend checkpoint (`.pulumi/stacks/<project>/<stack>.json`, possibly gzipped).
 * Project and stack come from the state itself, not from the file name.
 */
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { SourcePosition } from '../../shared/model';
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
    const text = stateText(bytes, where);
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (error) {
        throw new AccountInputError(`${where} is not JSON: ${(error as Error).message}. Expected the output of \`pulumi stack export\` or a .pulumi/stacks/<project>/<stack>.json file`);
    }
    checkDepth(data, where);
    if (!isRecord(data)) throw new AccountInputError(`${where} is not a Pulumi state: expected a JSON object with "deployment" or "checkpoint"`);
    // export: { version, deployment: { manifest, resources } }; file backend: { version, checkpoint: { stack, latest: { resources } } }
    const deployment = isRecord(data.deployment) ? data.deployment : isRecord(data.checkpoint) ? (isRecord(data.checkpoint.latest) ? data.checkpoint.latest : {}) : undefined;
    if (!deployment) throw new AccountInputError(`${where} is not a Pulumi state: it has neither "deployment" (pulumi stack export) nor "checkpoint" (file backend)`);
    if (data.version !== undefined && data.version !== 3) {
        throw new AccountInputError(`${where} is a version ${String(data.version)} deployment; Policy Insights reads version 3 (Pulumi 3.x). Re-export it with a current \`pulumi stack export\``);
    }
    const raw = Array.isArray(deployment.resources) ? deployment.resources : [];
    const resources: StateResource[] = [];
    const firstIndex = new Map<string, number>();
    raw.forEach((r, i) => {
        if (!isRecord(r) || typeof r.urn !== 'string' || typeof r.type !== 'string') throw new AccountInputError(`${where}: resources[${i}] has no "urn" or "type"`);
        for (const field of ['inputs', 'outputs'] as const) {
            if (r[field] !== undefined && !isRecord(r[field])) {
                throw new AccountInputError(`${where}: resources[${i}].${field} is ${Array.isArray(r[field]) ? 'an array' : typeof r[field]}, not an object (${r.urn})`);
            }
        }
        // One live resource per URN: collapsing two would silently drop one of them. A resource
        // being replaced keeps its URN twice (the old copy marked `delete`, as Pulumi writes a
        // create-before-delete replacement), and only live resources are analyzed or stored.
        if (r.delete !== true) {
            const earlier = firstIndex.get(r.urn);
            if (earlier !== undefined) throw new AccountInputError(`${where}: resources[${i}] repeats the URN of resources[${earlier}] (${r.urn}); a state holds each URN once, except for copies pending deletion`);
            firstIndex.set(r.urn, i);
        }
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

/** The largest state read (compressed or not): far above real stacks, below what exhausts memory. */
export const STATE_MAX_BYTES = 256 * 1024 * 1024;
/** The deepest nesting accepted: real states stay under a few dozen; deeper breaks hashing and evaluation later. */
export const STATE_MAX_DEPTH = 256;

/** The state's text, gunzipped when gzipped, refusing more than STATE_MAX_BYTES either way (a gzip bomb). */
function stateText(bytes: Buffer, where: string): string {
    const tooLarge = () => new AccountInputError(`${where} is larger than ${STATE_MAX_BYTES / 1024 / 1024} MiB${bytes[0] === 0x1f && bytes[1] === 0x8b ? ' once decompressed' : ''}: that is no Pulumi state Policy Insights reads. Check the file.`);
    if (bytes.length > STATE_MAX_BYTES) throw tooLarge();
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.toString('utf8');
    try {
        return gunzipSync(bytes, { maxOutputLength: STATE_MAX_BYTES }).toString('utf8');
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
        throw new AccountInputError(`${where} is gzipped but cannot be decompressed: ${(error as Error).message}`);
    }
}

/** Refuses values nested deeper than STATE_MAX_DEPTH (checked without recursion, so a deep file cannot overflow the stack here). */
function checkDepth(data: unknown, where: string): void {
    const pending: [unknown, number][] = [[data, 1]];
    while (pending.length) {
        const [value, depth] = pending.pop()!;
        if (typeof value !== 'object' || value === null) continue;
        if (depth > STATE_MAX_DEPTH) throw new AccountInputError(`${where} nests values more than ${STATE_MAX_DEPTH} levels deep: that is no Pulumi state Policy Insights reads. Check the file.`);
        for (const child of Array.isArray(value) ? value : Object.values(value)) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
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
        // refused before it is read into memory
        if ((await stat(path)).size > STATE_MAX_BYTES) throw new AccountInputError(`${path} is larger than ${STATE_MAX_BYTES / 1024 / 1024} MiB: that is no Pulumi state Policy Insights reads. Check the file.`);
        bytes = await readFile(path);
    } catch (error) {
        if (error instanceof AccountInputError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
        throw new AccountInputError(`cannot read the stack state ${path}: ${reason}`);
    }
    return bytes;
}
