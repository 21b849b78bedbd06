/**
 * Per-resource evaluation results, kept so an incremental run re-runs only what changed.
 * Results are kept per binding (pack digest + config) and resource URN, with the input key
 * (content hash) each resource had when evaluated: a result is used only when the key still
 * matches, so a stale or concurrently written cache can cost a re-run but never a wrong
 * result. That is why the side file needs no lock: every writer writes valid entries.
 *
 * A file is trusted only with a valid HMAC (its first line) under the home's own key
 * (`.integrity-key`, created 0600 on first use): a cache rewritten by anything that cannot
 * read the key (a pack, which may read only its own files) is dropped and reported, and the
 * next run evaluates in full, instead of passing off forged "no findings" as results.
 *
 *   <home>/evaluation/<encodeURIComponent(entity)>.json    <hex HMAC-SHA256>\n<JSON>
 *   <home>/evaluation/.integrity-key
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnforcementLevel, Remediation, Resource, Severity } from '../shared/model';

/**
 * 3: the input keys are two arrays in resource order (format 2 had one object keyed by URN, slow to build for 100,000 resources).
 * 4: a resource's results hold its remediation records (a format 3 file lacks them, so it would hide remediations until the resource changed).
 */
const CACHE_FORMAT = 4;

/** A diagnostic or a remediation record as cached: what a finding needs. */
export interface CachedDiagnostic {
    urn: string;
    policyName: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    severity?: Severity;
    /** A remediation record's change (enforcementLevel `remediate`). */
    remediation?: Remediation;
}

export interface BindingResults {
    /** Resource policies' diagnostics and remediation records per URN; URNs without findings are absent. */
    findings: Record<string, CachedDiagnostic[]>;
    /** URNs whose result is not known (a policy threw on them): they run again next time. */
    failed?: string[];
    /** Stack policies' result for the whole resource set (inputKey = resources fingerprint). */
    stack?: { inputKey: string; diagnostics: CachedDiagnostic[] };
}

/**
 * One entity's results. Every binding kept here was evaluated on every resource at the
 * input key in `keys` (but its `failed` URNs): the keys are shared, so the file holds one
 * key per resource and one entry per finding, not one entry per resource and binding.
 * `urns[i]` had the input key `keys[i]`, in the order of the resources evaluated: the next
 * evaluation, of mostly the same resources in the same order, compares them by position.
 */
export interface EntityResults {
    format: number;
    urns: string[];
    keys: string[];
    bindings: Record<string, BindingResults>;
}

export function emptyResults(): EntityResults {
    return { format: CACHE_FORMAT, urns: [], keys: [], bindings: {} };
}

function isEntityResults(value: unknown): value is EntityResults {
    if (typeof value !== 'object' || value === null) return false;
    const results = value as Partial<EntityResults>;
    return (
        results.format === CACHE_FORMAT &&
        Array.isArray(results.urns) &&
        Array.isArray(results.keys) &&
        results.urns.length === results.keys.length &&
        typeof results.bindings === 'object' &&
        results.bindings !== null
    );
}

/** What a resource policy sees of a resource, as one string: equal keys give equal results. */
export function inputKeyOf(resource: Resource): string {
    const content = resource.hash || createHash('sha1').update(JSON.stringify([resource.type, resource.properties])).digest('hex');
    let key = `${resource.type}|${content}`;
    if (resource.parent) key += `|p:${resource.parent}`;
    if (resource.dependencies?.length) key += `|d:${resource.dependencies.join(',')}`;
    return key;
}

/** The whole resource set (order included: stack policies see it in order) as one hash. */
export function resourcesFingerprint(resources: readonly Resource[], inputKeys: readonly string[] = resources.map(inputKeyOf)): string {
    // one update of the joined lines gives the digest of updating line by line, without 100,000 calls into the hash
    const lines: string[] = new Array(resources.length);
    for (let i = 0; i < resources.length; i++) lines[i] = `${resources[i].urn}\0${inputKeys[i]}\n`;
    return createHash('sha1').update(lines.join('')).digest('hex');
}

/**
 * Share of an entity's results that may be new since its file was written before the file
 * is written again. The file only spares a new process (a restarted server, the CLI) from
 * re-running policies; entries are keyed by content, so an older file is still correct,
 * just less complete. Rewriting 5 MB for every 1% change would cost more than the
 * evaluation it caches.
 */
const CHECKPOINT_SHARE = 0.1;

/**
 * Resources whose results the cache keeps in memory, over all entities (about 250 bytes of
 * heap each): enough for the accounts a scan or an edit touches at once, while an evaluation
 * of 1,000,000 resources in 300 shards keeps only the last few shards' results instead of
 * all of them (the files hold the rest, and an evaluation reads one entity's at a time).
 */
export const DEFAULT_MEMORY_ENTRIES = 200_000;

export interface ResultCacheOptions {
    /** See DEFAULT_MEMORY_ENTRIES; the least recently used entities' results leave memory first. */
    memoryEntries?: number;
}

/** Cached results per entity: the recently used in memory, all in side files under the store home. */
export class ResultCache {
    /** In least recently used order (a Map iterates in insertion order; a use re-inserts). */
    private readonly memory = new Map<string, EntityResults>();
    /** Resource entries held in `memory`. */
    private held = 0;
    private readonly memoryEntries: number;
    /** Entities whose memory holds results not yet in their file, with how many entries are new. */
    private readonly unsaved = new Map<string, number>();
    readonly dir: string;

    constructor(home: string, options: ResultCacheOptions = {}) {
        this.dir = join(home, 'evaluation');
        this.memoryEntries = options.memoryEntries ?? DEFAULT_MEMORY_ENTRIES;
    }

    /** Entities whose results are in memory, least recently used first (for tests). */
    inMemory(): string[] {
        return [...this.memory.keys()];
    }

    /**
     * Keeps `results` as the entity's most recently used, then moves the least recently used
     * others out of memory while over budget, writing first those their file is behind of.
     */
    private async remember(entity: string, results: EntityResults): Promise<void> {
        const before = this.memory.get(entity);
        if (before) this.held -= before.keys.length;
        this.memory.delete(entity);
        this.memory.set(entity, results);
        this.held += results.keys.length;
        const behind: [string, EntityResults][] = [];
        for (const [other, held] of this.memory) {
            if (this.held <= this.memoryEntries) break;
            if (other === entity) continue;
            this.memory.delete(other);
            this.held -= held.keys.length;
            if (this.unsaved.delete(other)) behind.push([other, held]);
        }
        await Promise.all(behind.map(([other, held]) => this.write(other, held)));
    }

    /** Cache files that failed their integrity check since the last `takeDistrusted()`. */
    private readonly distrusted: string[] = [];
    private key?: Promise<Buffer>;

    private pathOf(entity: string): string {
        return join(this.dir, `${encodeURIComponent(entity)}.json`);
    }

    /** The home's cache key: read, or created once (exclusive create, so two processes agree on one). */
    private integrityKey(): Promise<Buffer> {
        return (this.key ??= (async () => {
            const file = join(this.dir, '.integrity-key');
            await mkdir(this.dir, { recursive: true });
            try {
                await writeFile(file, randomBytes(32), { flag: 'wx', mode: 0o600 });
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
            }
            const key = await readFile(file);
            if (key.length !== 32) throw new Error(`${file} is not a cache key (${key.length} bytes); delete it to make a new one`);
            return key;
        })());
    }

    private async mac(text: string): Promise<string> {
        return createHmac('sha256', await this.integrityKey()).update(text).digest('hex');
    }

    /** Paths of cache files dropped because their HMAC did not match (each reported once). */
    takeDistrusted(): string[] {
        return this.distrusted.splice(0);
    }

    /** The entity's cached results; empty when there are none or the file is unreadable (a cache: rebuilt by the next run). */
    async load(entity: string): Promise<EntityResults> {
        const known = this.memory.get(entity);
        if (known) {
            await this.remember(entity, known);
            return known;
        }
        let results = emptyResults();
        const file = this.pathOf(entity);
        let content: string | undefined;
        try {
            content = await readFile(file, 'utf8');
        } catch {
            // missing or unreadable: start empty
        }
        if (content !== undefined) {
            const newline = content.indexOf('\n');
            const text = content.slice(newline + 1);
            const stored = Buffer.from(newline > 0 ? content.slice(0, newline) : '', 'hex');
            const expected = Buffer.from(await this.mac(text), 'hex');
            if (stored.length === expected.length && timingSafeEqual(stored, expected)) {
                try {
                    const parsed: unknown = JSON.parse(text);
                    // another format (an older Policy Insights) is dropped: the next run evaluates in full
                    if (isEntityResults(parsed)) results = parsed;
                } catch {
                    // damaged: start empty
                }
            } else {
                this.distrusted.push(file);
            }
        }
        await this.remember(entity, results);
        return results;
    }

    /** Keeps `results` in memory and writes them atomically (temp file + rename). */
    async save(entity: string, results: EntityResults): Promise<void> {
        await this.remember(entity, results);
        await this.write(entity, results);
    }

    private async write(entity: string, results: EntityResults): Promise<void> {
        await mkdir(this.dir, { recursive: true });
        const target = this.pathOf(entity);
        const temp = join(this.dir, `.${encodeURIComponent(entity)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
        try {
            const text = JSON.stringify(results);
            await writeFile(temp, `${await this.mac(text)}\n${text}`);
            await rename(temp, target);
        } catch (error) {
            await rm(temp, { force: true }).catch(() => undefined);
            throw error;
        }
    }

    /**
     * Keeps `results` in memory and writes the file once enough of it is new since the last
     * write (`fresh` entries were just evaluated, the rest came from the cache); flush() writes
     * whatever is left.
     */
    async checkpoint(entity: string, results: EntityResults, fresh: number): Promise<void> {
        const pending = (this.unsaved.get(entity) ?? 0) + fresh;
        if (pending <= Math.max(1, results.keys.length) * CHECKPOINT_SHARE && this.memory.has(entity)) {
            // nothing new (every result reused): the file is as good as memory, flush() leaves it alone
            if (pending > 0) this.unsaved.set(entity, pending);
            await this.remember(entity, results);
            return;
        }
        this.unsaved.delete(entity);
        await this.save(entity, results);
    }

    /** Writes every entity whose file is behind its memory (before the process ends). */
    async flush(): Promise<void> {
        const behind = [...this.unsaved.keys()];
        this.unsaved.clear();
        // an entity is unsaved only while in memory (remember writes what it moves out)
        await Promise.all(behind.map((entity) => this.write(entity, this.memory.get(entity)!)));
    }

    /** Takes the entity's results out of memory, written first when their file is behind. */
    async release(entity: string): Promise<void> {
        const held = this.memory.get(entity);
        if (!held) return;
        this.memory.delete(entity);
        this.held -= held.keys.length;
        if (this.unsaved.delete(entity)) await this.write(entity, held);
    }

    /** Forgets an entity (its account was removed). */
    async drop(entity: string): Promise<void> {
        this.unsaved.delete(entity);
        const held = this.memory.get(entity);
        if (held) this.held -= held.keys.length;
        this.memory.delete(entity);
        await rm(this.pathOf(entity), { force: true });
    }
}
