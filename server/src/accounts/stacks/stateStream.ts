/**
 * A Pulumi state read as a stream: each resource is parsed, checked and handed over as soon as
 * its closing brace arrives, and nothing else of the file is kept but the few members around
 * the resources (version, secrets provider, checkpoint stack name). A 200 MB export so never
 * exists as one string or one object tree (issue 14: the whole-file JSON.parse took 2.9 GB).
 * The checks and their messages are those of a whole-file read: what is wrong and where (the
 * file, `resources[i]`, the URN).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { Tokenizer, TokenParser, TokenType, type ParsedElementInfo, type ParsedTokenInfo } from '@streamparser/json';
import { AccountInputError } from '../accountNames';
import { secretsProviderOfState, type SecretsProviderRef } from './pulumiSecrets';
import type { StateResource } from './stackState';

/** The largest state read (compressed or not): far above real stacks, below what exhausts memory. */
export const STATE_MAX_BYTES = 256 * 1024 * 1024;
/** The deepest nesting accepted: real states stay under a few dozen; deeper breaks hashing and evaluation later. */
export const STATE_MAX_DEPTH = 256;

/** What a state says besides its resources, known once the whole file was read. */
export interface StateSummary {
    /** From the first valid URN; undefined when there is none. */
    project?: string;
    stack?: string;
    /** `deployment.secrets_providers`: who can decrypt the state's secrets. */
    secretsProvider?: SecretsProviderRef;
    /** Resources read, those pending deletion included. */
    resourceCount: number;
}

/** Called with each resource in file order; `index` is its place in the `resources` array. */
export type StateResourceSink = (resource: StateResource, index: number) => void;

export interface StateReadOptions {
    /** Bytes of the file read so far and its size (compressed bytes for a gzipped file), at most every 1% of it. */
    onProgress?: (read: number, total: number) => void;
    signal?: AbortSignal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `urn:pulumi:<stack>::<project>::...`'s stack and project, without the rest of parseUrn's work. */
function urnScope(urn: string): { stack: string; project: string } | undefined {
    if (!urn.startsWith('urn:pulumi:')) return undefined;
    const parts = urn.slice('urn:pulumi:'.length).split('::');
    return parts.length < 4 ? undefined : { stack: parts[0], project: parts[1] };
}

/** Refuses values nested deeper than STATE_MAX_DEPTH (checked without recursion, so a deep file cannot overflow the stack here). */
export function checkDepth(data: unknown, where: string, depthOfData = 1): void {
    const pending: [unknown, number][] = [[data, depthOfData]];
    while (pending.length) {
        const [value, depth] = pending.pop()!;
        if (typeof value !== 'object' || value === null) continue;
        if (depth > STATE_MAX_DEPTH) throw new AccountInputError(`${where} nests values more than ${STATE_MAX_DEPTH} levels deep: that is no Pulumi state Policy Insights reads. Check the file.`);
        for (const child of Array.isArray(value) ? value : Object.values(value)) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
}

/**
 * Where the parser emits values: the resources one by one (an export's, or a file-backend
 * checkpoint's), and the small members a state is known by. Nothing else is assembled into
 * values that outlive their parent: `keepStack: false` drops each emitted value from its parent.
 */
const PATHS = [
    '$.version',
    '$.deployment.secrets_providers',
    '$.deployment.resources.*',
    '$.checkpoint.stack',
    '$.checkpoint.latest.secrets_providers',
    '$.checkpoint.latest.resources.*',
];

/**
 * A push parser for one state: `write` its bytes in any chunks, then `end`. Throws
 * AccountInputError, naming `where`, for anything a state may not be.
 */
export class StateParser {
    private readonly tokenizer = new Tokenizer();
    private readonly parser = new TokenParser({ paths: PATHS, keepStack: false });
    /** The root's members that are objects: `deployment` or `checkpoint` decides the state's form. */
    private readonly rootObjects = new Set<string>();
    private readonly rootMembers = new Set<string>();
    private rootToken: TokenType | undefined;
    private depth = 0;
    private rootKey: string | undefined;
    private rootExpectsKey = false;
    private count = 0;
    private project: string | undefined;
    private stack: string | undefined;
    private checkpointStack: string | undefined;
    private secretsProvider: SecretsProviderRef | undefined;
    private resourcesOf: 'deployment' | 'checkpoint' | undefined;
    /** Live resources' URN -> index: one live resource per URN. */
    private readonly firstIndex = new Map<string, number>();
    private bytes = 0;

    constructor(
        private readonly where: string,
        private readonly sink: StateResourceSink,
    ) {
        this.tokenizer.onToken = (token) => {
            this.observe(token);
            this.parser.write(token);
        };
        this.tokenizer.onEnd = () => {
            if (!this.parser.isEnded) this.parser.end();
        };
        this.parser.onError = (error) => this.tokenizer.error(error);
        this.parser.onEnd = () => {
            if (!this.tokenizer.isEnded) this.tokenizer.end();
        };
        this.parser.onValue = (info) => this.value(info);
    }

    write(chunk: Uint8Array): void {
        if (this.tokenizer.isEnded) {
            // the tokenizer ends after the root value: anything but white space after it is a second document
            if (chunk.some((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)) throw this.notJson(`unexpected data after the end of the state, near byte ${this.bytes}`);
            this.bytes += chunk.length;
            return;
        }
        try {
            this.tokenizer.write(chunk);
        } catch (error) {
            throw this.failure(error);
        }
        this.bytes += chunk.length;
    }

    end(): StateSummary {
        try {
            if (!this.tokenizer.isEnded) this.tokenizer.end();
        } catch (error) {
            throw this.failure(error, true);
        }
        if (this.rootToken === undefined) throw this.notJson('the file is empty');
        if (this.rootToken !== TokenType.LEFT_BRACE) throw new AccountInputError(`${this.where} is not a Pulumi state: expected a JSON object with "deployment" or "checkpoint"`);
        if (!this.rootObjects.has('deployment') && !this.rootObjects.has('checkpoint')) {
            throw new AccountInputError(`${this.where} is not a Pulumi state: it has neither "deployment" (pulumi stack export) nor "checkpoint" (file backend)`);
        }
        // a checkpoint's stack may be qualified (org/project/stack); the URN's part is the bare name
        const stack = this.stack ?? this.checkpointStack?.split('/').pop();
        return { ...(this.project ? { project: this.project } : {}), ...(stack ? { stack } : {}), ...(this.secretsProvider ? { secretsProvider: this.secretsProvider } : {}), resourceCount: this.count };
    }

    /** Follows the root object's members (depth 1) so the state's form is known without keeping them. */
    private observe({ token, value }: ParsedTokenInfo): void {
        if (this.rootToken === undefined) this.rootToken = token;
        if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
            if (this.depth === 1 && this.rootKey !== undefined && token === TokenType.LEFT_BRACE) this.rootObjects.add(this.rootKey);
            this.depth++;
            this.rootKey = undefined;
            this.rootExpectsKey = this.depth === 1 && token === TokenType.LEFT_BRACE;
        } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
            this.depth--;
        } else if (this.depth === 1 && this.rootToken === TokenType.LEFT_BRACE) {
            if (token === TokenType.COMMA) this.rootExpectsKey = true;
            else if (this.rootExpectsKey && token === TokenType.STRING) {
                this.rootKey = value as string;
                this.rootMembers.add(this.rootKey);
                this.rootExpectsKey = false;
            } else if (token !== TokenType.COLON) this.rootKey = undefined;
        }
    }

    private value({ value, key, stack }: ParsedElementInfo): void {
        const form = stack[1]?.key;
        if (stack.length >= 3 && typeof key === 'number' && stack[stack.length - 1].key === 'resources') {
            this.resource(value, form === 'checkpoint' ? 'checkpoint' : 'deployment', stack.length + 1);
            return;
        }
        if (stack.length === 1 && key === 'version') {
            if (value !== 3) throw new AccountInputError(`${this.where} is a version ${String(value as string)} deployment; Policy Insights reads version 3 (Pulumi 3.x). Re-export it with a current \`pulumi stack export\``);
        } else if (key === 'secrets_providers') {
            this.secretsProvider = secretsProviderOfState(value);
        } else if (key === 'stack' && form === 'checkpoint' && typeof value === 'string') {
            this.checkpointStack = value;
        }
    }

    private resource(r: unknown, form: 'deployment' | 'checkpoint', depth: number): void {
        // a file with both forms is ambiguous: whole-file reads took `deployment`, a stream cannot wait to know
        if (this.resourcesOf && this.resourcesOf !== form) throw new AccountInputError(`${this.where} holds resources under both "deployment" and "checkpoint": a state is one or the other. Export the stack again with \`pulumi stack export\``);
        this.resourcesOf = form;
        const i = this.count++;
        if (!isRecord(r) || typeof r.urn !== 'string' || typeof r.type !== 'string') throw new AccountInputError(`${this.where}: resources[${i}] has no "urn" or "type"`);
        for (const field of ['inputs', 'outputs'] as const) {
            if (r[field] !== undefined && !isRecord(r[field])) {
                throw new AccountInputError(`${this.where}: resources[${i}].${field} is ${Array.isArray(r[field]) ? 'an array' : typeof r[field]}, not an object (${r.urn})`);
            }
        }
        checkDepth(r, this.where, depth);
        // One live resource per URN: collapsing two would silently drop one of them. A resource
        // being replaced keeps its URN twice (the old copy marked `delete`, as Pulumi writes a
        // create-before-delete replacement), and only live resources are analyzed or stored.
        if (r.delete !== true) {
            const earlier = this.firstIndex.get(r.urn);
            if (earlier !== undefined) throw new AccountInputError(`${this.where}: resources[${i}] repeats the URN of resources[${earlier}] (${r.urn}); a state holds each URN once, except for copies pending deletion`);
            this.firstIndex.set(r.urn, i);
        }
        if (this.project === undefined) {
            const scope = urnScope(r.urn);
            if (scope) ({ project: this.project, stack: this.stack } = scope);
        }
        this.sink(r as unknown as StateResource, i);
    }

    private notJson(reason: string): AccountInputError {
        return new AccountInputError(`${this.where} is not JSON: ${reason}. Expected the output of \`pulumi stack export\` or a .pulumi/stacks/<project>/<stack>.json file`);
    }

    /** A parser error as the user's error: where in the file, and which resource was being read. */
    private failure(error: unknown, atEnd = false): Error {
        if (error instanceof AccountInputError) return error;
        const message = (error as Error).message;
        // the tokenizer ends after the root value: what follows in the same chunk is a second document
        if (message.endsWith('in state ENDED')) return this.notJson(`unexpected data after the end of the state, near byte ${this.bytes + Number(/chunk position "(\d+)"/.exec(message)?.[1] ?? 0)}`);
        if (atEnd) return this.notJson(`it ends before the state does (after ${this.bytes} bytes${this.count ? `, ${this.count} resources` : ''}): the file is truncated`);
        const inResources = this.resourcesOf !== undefined && this.depth >= 3 ? ` in resources[${this.count}]` : '';
        return this.notJson(`${message.replace(/ in state \w+$/, '')}${inResources}`);
    }
}

/**
 * Streams a state file (gzipped or not) to `sink`, refusing more than STATE_MAX_BYTES either
 * way (a gzip bomb is stopped while it inflates). Unreadable files are reported with their path.
 */
export async function streamStateFile(path: string, sink: StateResourceSink, options: StateReadOptions = {}): Promise<StateSummary> {
    let size: number;
    try {
        size = (await stat(path)).size;
        if (size > STATE_MAX_BYTES) throw new AccountInputError(`${path} is larger than ${STATE_MAX_BYTES / 1024 / 1024} MiB: that is no Pulumi state Policy Insights reads. Check the file.`);
    } catch (error) {
        throw readError(error, path);
    }
    const parser = new StateParser(path, sink);
    const step = Math.max(1, Math.floor(size / 100));
    let reported = 0;
    let inflated = 0;
    const gzipped = await startsWithGzip(path);
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = gzipped ? createGunzip() : undefined;
    if (gunzip) file.on('error', (error) => gunzip.destroy(error));
    try {
        for await (const chunk of (gunzip ? file.pipe(gunzip) : file) as AsyncIterable<Buffer>) {
            if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
            if (gunzip) {
                inflated += chunk.length;
                if (inflated > STATE_MAX_BYTES) throw new AccountInputError(`${path} is larger than ${STATE_MAX_BYTES / 1024 / 1024} MiB once decompressed: that is no Pulumi state Policy Insights reads. Check the file.`);
            }
            parser.write(chunk);
            if (options.onProgress && file.bytesRead - reported >= step) {
                reported = file.bytesRead;
                options.onProgress(reported, size);
            }
        }
    } catch (error) {
        file.destroy();
        gunzip?.destroy();
        if (error instanceof AccountInputError || error === options.signal?.reason) throw error;
        if (gunzip && (error as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new AccountInputError(`${path} is gzipped but cannot be decompressed: ${(error as Error).message}`);
        throw readError(error, path);
    }
    if (reported < size) options.onProgress?.(size, size);
    return parser.end();
}

/** Whether the file starts with gzip's magic bytes. */
async function startsWithGzip(path: string): Promise<boolean> {
    try {
        const handle = await open(path, 'r');
        try {
            const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
            return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
        } finally {
            await handle.close();
        }
    } catch (error) {
        throw readError(error, path);
    }
}

/** Parses a state held in memory (gzipped or not), with the limits of a file read. */
export function parseStateBytes(bytes: Buffer, where: string, sink: StateResourceSink): StateSummary {
    const tooLarge = () => new AccountInputError(`${where} is larger than ${STATE_MAX_BYTES / 1024 / 1024} MiB${bytes[0] === 0x1f && bytes[1] === 0x8b ? ' once decompressed' : ''}: that is no Pulumi state Policy Insights reads. Check the file.`);
    if (bytes.length > STATE_MAX_BYTES) throw tooLarge();
    const parser = new StateParser(where, sink);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
        parser.write(bytes);
        return parser.end();
    }
    let text: Buffer;
    try {
        text = gunzipSync(bytes, { maxOutputLength: STATE_MAX_BYTES });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
        throw new AccountInputError(`${where} is gzipped but cannot be decompressed: ${(error as Error).message}`);
    }
    parser.write(text);
    return parser.end();
}

function readError(error: unknown, path: string): Error {
    if (error instanceof AccountInputError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    return new AccountInputError(`cannot read the stack state ${path}: ${reason}`);
}
