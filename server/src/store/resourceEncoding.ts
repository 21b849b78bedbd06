/**
 * The compact encoding of a shard's resources (schema versions 3 and 4): what a resources file
 * holds is what the store hands out, minus what the file already says elsewhere. Every rule
 * is exact: the encoder leaves a field out only after checking that the decoder gives it
 * back equal, so reading a file always yields the Resource objects that were written.
 *
 * A version 4 resources file:
 *
 *   { "schemaVersion": 4, "account": "demo/us-west-2",
 *     "common": { "account": "demo/us-west-2", "region": "us-west-2", "provider": "aws" },
 *     "urnPrefix": "urn:pulumi:demo::us-west-2::", "hashes": "base64url", "types": ["aws:s3/bucket:Bucket", ...],
 *     "shapes": [["bucket", "acl", "tags"], ["Owner"], ...], "sharedShapes": 2,
 *     "resources": [ { "type": 0, "id": "...", "properties": [0, "assets", "private", [1, "web"]], "hash": "..." }, ... ] }
 *
 * - `common`: the fields every resource of the file has with the same value (account,
 *   region, provider, project, stack). They are left out of every resource. Its presence is
 *   what marks the resources as encoded: content without it (version 2, or what a caller
 *   hands to the store) is taken as full Resource objects.
 * - `types`: the file's resource types, each once; a resource's `type` is its index there
 *   (a type is a string in any valid resource, so a number is unambiguous). In memory every
 *   resource of a type holds the same string.
 * - a resource without `name` is named by its `id` (discovered resources mostly are).
 * - `"hashes": "base64url"`: every hash is the base64url of the bytes of a sha256 hex digest
 *   (43 characters instead of 64). Written only when every resource's hash is one.
 * - `urnPrefix`: a resource without `urn` has the URN `urnPrefix + type + "::" + name`, the
 *   URN of a discovered resource (resourceUrn) and of a stack resource whose parent is the
 *   stack. Other URNs (children of components, a shard of mixed accounts) are written out.
 * - `"urnKey": "id"` (version 4): the URN a resource without `urn` has ends in its `id`
 *   instead of its name: a discovered resource's URN is keyed by its id, and its name is
 *   often another (an instance's Name tag, a certificate's domain). Written when more
 *   resources leave their URN out so.
 * - `"properties": "outputs"` (or `"inputs"`): the properties are the resource's outputs
 *   (inputs), written once, and are the same object in memory after reading, as
 *   stackResources builds them. Properties are an object in any valid resource, so a string
 *   there is unambiguous.
 * - `"inputs": ["outputs", [<keys>], {<members>}]`: the inputs are the outputs without the
 *   listed keys, with the members (inputs that differ from the outputs, or that the outputs
 *   lack) over them: what a stack resource's inputs are when its outputs mostly repeat them.
 *   Inputs are an object in any resource, so an array there is unambiguous. Members taken
 *   from the outputs are the same objects in memory. Written only when the inputs share a
 *   member with the outputs and the outputs hold no more members of their own than that.
 * - `shapes` (version 4): the content of `properties`, `inputs` and `outputs` (and the members
 *   of an `inputs` written as a change of the outputs) is written by shape, each object as
 *   its key list's index in `shapes` and its values (propertyShapes.ts; `sharedShapes` says
 *   how many of them more than one object has; `shapeSources`, which members of the
 *   top-level `properties` and `outputs` are the resource's id or the file's common region).
 *   Without `shapes` (a version 3 file) the content is written as it is.
 * - `"providerResource": "provider"`: the provider resource is the one the `provider`
 *   reference (`<urn>::<id>`) names, stored in the same shard, seen as the engine sends it
 *   (urn, type, name, and its inputs as properties, secrets already redacted). A provider
 *   that is not in the shard (or differs) keeps its providerResource written out.
 *
 * Decoding replaces each parsed item with the Resource it stands for, its fields in the
 * order the scanners give them (the top-level object is new, and in version 4 so is the
 * property content, built from its shapes; the other members are the parsed ones). A field that cannot be decoded (a hand edit, damage) is left as written
 * and its problem is recorded for takeBadItems, which sets the item aside and reports it
 * like any other item of the wrong shape.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ProviderResource, Resource } from '../shared/model';
import { ShapeProblem, ShapeReader, ShapeTable, type ResourceValues } from './propertyShapes';

/** The fields `common` may hold. */
const COMMON_FIELDS = ['account', 'region', 'provider', 'project', 'stack'] as const;
type CommonField = (typeof COMMON_FIELDS)[number];
type Common = Partial<Record<CommonField, string>>;

/**
 * The order of a decoded resource's fields: scanAccount's toResource's, then the fields of
 * stack resources, so what the CLI prints reads as before (unknown fields follow).
 */
const FIELD_ORDER = [
    'account', 'region', 'urn', 'type', 'name', 'id', 'provider', 'properties', 'hash', 'project', 'stack', 'parent', 'dependencies', 'sourcePosition',
    'inputs', 'outputs', 'options', 'providerResource', 'propertyDependencies',
] as const satisfies readonly (keyof Resource)[];
const ORDERED = new Set<string>(FIELD_ORDER);
const COMMON = new Set<string>(COMMON_FIELDS);

/** What decoding an item depends on: the file's own fields. */
interface FileFields {
    common: Record<string, unknown>;
    urnPrefix: unknown;
    urnKey: unknown;
    hashes: unknown;
    types: unknown;
    /** How the property content is written: by shape, or (no `shapes`) as it is. */
    shapes: ShapeReader | undefined;
}

/**
 * The property content the field named `field` of an item stands for, or `written` and a
 * problem naming where inside it. `from`: what its top-level members may come from.
 */
function decodeContent(written: unknown, field: string, shapes: ShapeReader | undefined, problem: (field: string, text: string) => void, from?: ResourceValues): unknown {
    if (shapes === undefined) return written;
    try {
        return shapes.decode(written, from);
    } catch (error) {
        if (!(error instanceof ShapeProblem)) throw error;
        problem(`${field}${error.path.join('')}`, error.message);
        return written;
    }
}

/**
 * The Resource `item` (one parsed item of an encoded file) stands for, built in one pass in
 * FIELD_ORDER: a new object rather than `item` changed in place, whose added fields would
 * cost V8 a change of shape each. A field that cannot be decoded is left as written and
 * reported through `problem`.
 */
function decodeItem(item: Record<string, unknown>, file: FileFields, problem: (field: string, text: string) => void): Record<string, unknown> {
    let type = item.type;
    if (typeof type === 'number') {
        const named = Array.isArray(file.types) ? (file.types[type] as unknown) : undefined;
        if (typeof named === 'string') type = named;
        else problem('type', `is ${type}, which is no index of the file's "types"`);
    }
    const name = Object.hasOwn(item, 'name') ? item.name : typeof item.id === 'string' ? item.id : undefined;
    let urn = item.urn;
    if (!Object.hasOwn(item, 'urn')) {
        const key = file.urnKey === undefined ? name : file.urnKey === URN_BY_ID ? item.id : undefined;
        if (file.urnKey !== undefined && file.urnKey !== URN_BY_ID) problem('urn', `cannot be derived: the file's "urnKey" is ${JSON.stringify(file.urnKey)}, not "${URN_BY_ID}"`);
        else if (typeof file.urnPrefix === 'string' && typeof type === 'string' && typeof key === 'string') urn = `${file.urnPrefix}${type}::${key}`;
    }
    let hash = item.hash;
    if (file.hashes === BASE64URL) {
        const hex = typeof hash === 'string' ? base64urlToSha256Hex(hash) : undefined;
        if (hex !== undefined) hash = hex;
        else problem('hash', 'is not the base64url of a sha256 digest, as the file\'s "hashes" says');
    }
    const from: ResourceValues = { id: typeof item.id === 'string' ? item.id : undefined, region: typeof file.common.region === 'string' ? file.common.region : undefined };
    const outputs = Object.hasOwn(item, 'outputs') ? decodeContent(item.outputs, 'outputs', file.shapes, problem, from) : undefined;
    let inputs = item.inputs;
    if (Array.isArray(inputs) && inputs[0] === 'outputs') {
        const set = decodeContent(inputs[2], 'inputs[2]', file.shapes, problem);
        const decoded = decodeInputs(inputs, set, outputs);
        if (typeof decoded === 'string') problem('inputs', decoded);
        else inputs = decoded;
    } else if (Object.hasOwn(item, 'inputs')) {
        inputs = decodeContent(inputs, 'inputs', file.shapes, problem);
    }
    let properties = item.properties;
    if (properties === 'outputs' || properties === 'inputs') {
        const source = properties === 'outputs' ? outputs : inputs;
        if (isRecord(source)) properties = source;
        else problem('properties', `is "${properties}" but the resource has no ${properties}`);
    } else if (Object.hasOwn(item, 'properties')) {
        properties = decodeContent(properties, 'properties', file.shapes, problem, from);
    }
    const out: Record<string, unknown> = {};
    for (const field of FIELD_ORDER) {
        let value: unknown;
        switch (field) {
            case 'type': value = type; break;
            case 'name': value = name; break;
            case 'urn': value = urn; break;
            case 'hash': value = hash; break;
            case 'inputs': value = inputs; break;
            case 'outputs': value = outputs; break;
            case 'properties': value = properties; break;
            default: value = Object.hasOwn(item, field) ? item[field] : COMMON.has(field) ? file.common[field] : undefined;
        }
        // a parsed item holds no undefined: undefined is a field the resource does not have
        if (value !== undefined) out[field] = value;
    }
    for (const key of Object.keys(item)) {
        // defineProperty: a member named __proto__ stays a member
        if (!ORDERED.has(key)) Object.defineProperty(out, key, { value: item[key], enumerable: true, writable: true, configurable: true });
    }
    return out;
}

/** What marks `properties` as a reference to another member of the same resource. */
type PropertiesSource = 'outputs' | 'inputs';
/** What marks `inputs` as the outputs with changes: `["outputs", keys left out, members set]`. */
type InputsFromOutputs = ['outputs', string[], Record<string, unknown>];

/** What marks `providerResource` as derived from the provider resource in the shard. */
const PROVIDER_IN_SHARD = 'provider';

/** The top-level fields of a resources file this encoding adds. */
export interface EncodedResourcesFields {
    common?: Common;
    urnPrefix?: string;
    urnKey?: typeof URN_BY_ID;
    hashes?: typeof BASE64URL;
    types?: string[];
    shapes?: string[][];
    sharedShapes?: number;
    shapeSources?: unknown[];
}

const BASE64URL = 'base64url';
/** What `urnKey` says when the derived URNs end in the resource's id. */
const URN_BY_ID = 'id';
/** Which field of a resource ends the URN the decoder derives. */
type UrnKey = 'name' | typeof URN_BY_ID;
/**
 * One buffer for every hash converted: a shard of a million resources converts a million
 * hashes, and Buffer.from would allocate a buffer for each.
 */
const digest = Buffer.alloc(32);

/** A sha256 hex digest (64 lowercase hex digits, as resourceHash gives it) in base64url (43 characters), or undefined when `hex` is not one. */
export function sha256HexToBase64url(hex: string): string | undefined {
    if (hex.length !== 64 || digest.write(hex, 'hex') !== 32) return undefined;
    // uppercase digits would not come back as they were
    return digest.toString('hex') === hex ? digest.toString('base64url') : undefined;
}

/** The inverse of sha256HexToBase64url; undefined for any text it does not give. */
export function base64urlToSha256Hex(text: string): string | undefined {
    if (text.length !== 43 || digest.write(text, 'base64url') !== 32) return undefined;
    // Buffer skips characters outside the alphabet and ignores padding bits: only the text the encoder writes is taken
    return digest.toString('base64url') === text ? digest.toString('hex') : undefined;
}

/** Why an item read from a file could not be decoded, for takeBadItems. */
const decodeProblems = new WeakMap<object, string>();

/** The problem found decoding `item` (the field named), or undefined. */
export function decodeProblemOf(item: unknown): string | undefined {
    return typeof item === 'object' && item !== null ? decodeProblems.get(item) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isProvider = (r: { type?: unknown }) => typeof r.type === 'string' && r.type.startsWith('pulumi:providers:');

/** The URN of `r` the decoder derives with `prefix` and `key`; undefined when it derives none (it takes only strings). */
function derivedUrn(r: Resource, prefix: string, key: UrnKey): string | undefined {
    const end = r[key];
    return typeof r.type === 'string' && typeof end === 'string' ? `${prefix}${r.type}::${end}` : undefined;
}

/** The reference a resource that uses `provider` holds in its `provider` field. */
const referenceTo = (provider: { urn?: unknown; id?: unknown }) => `${String(provider.urn)}::${String(provider.id)}`;

/** The provider resource as stackResources builds it from the provider's state (see providerResourceOf). */
function providerResourceOf(provider: Resource): ProviderResource {
    return { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.inputs ?? {} };
}

/** The fields every resource has with the same string value. */
function commonFields(resources: readonly Resource[]): Common {
    const common: Common = {};
    if (resources.length === 0) return common;
    for (const field of COMMON_FIELDS) {
        const value = resources[0]![field];
        if (typeof value === 'string' && resources.every((r) => r[field] === value)) common[field] = value;
    }
    return common;
}

/** `urn:pulumi:<a>::<b>::`: the part of a URN before its type, when the URN is `<it><type>::<key>`. */
function urnPrefixOf(r: Resource, key: UrnKey): string | undefined {
    const end = r[key];
    if (typeof r.type !== 'string' || typeof end !== 'string' || typeof r.urn !== 'string') return undefined;
    const suffix = `${r.type}::${end}`;
    return r.urn.endsWith(suffix) ? r.urn.slice(0, -suffix.length) : undefined;
}

/** The most frequent prefix (most resources then leave out their URN) and how many have it; undefined when none derives. */
function mostCommonUrnPrefix(resources: readonly Resource[], key: UrnKey): { prefix: string | undefined; count: number } {
    const counts = new Map<string, number>();
    let best: string | undefined;
    let bestCount = 0;
    for (const r of resources) {
        const prefix = urnPrefixOf(r, key);
        if (prefix === undefined) continue;
        const count = (counts.get(prefix) ?? 0) + 1;
        counts.set(prefix, count);
        if (count > bestCount) [best, bestCount] = [prefix, count];
    }
    return { prefix: best, count: bestCount };
}

/**
 * The file content for `part` (a resources file as the store holds it): the resources
 * encoded, the rest as it is. `part` is not changed.
 */
export function encodeShardResources<T extends { resources: Resource[] }>(part: T): T & EncodedResourcesFields {
    const { resources } = part;
    const common = commonFields(resources);
    // by name unless more URNs end in the id (a tie keeps what version 3 wrote)
    const byName = mostCommonUrnPrefix(resources, 'name');
    const byId = mostCommonUrnPrefix(resources, URN_BY_ID);
    const urnKey: UrnKey = byId.count > byName.count ? URN_BY_ID : 'name';
    const urnPrefix = urnKey === URN_BY_ID ? byId.prefix : byName.prefix;
    const providers = new Map<string, Resource>();
    for (const r of resources) if (isProvider(r) && r.id !== undefined) providers.set(referenceTo(r), r);
    // converted here, once: when one hash is no sha256 digest, the file keeps them all as they are
    const converted = new Map<Resource, string>();
    for (const r of resources) {
        const hash = typeof r.hash === 'string' ? sha256HexToBase64url(r.hash) : undefined;
        if (hash === undefined) break;
        converted.set(r, hash);
    }
    const hashes = resources.length > 0 && converted.size === resources.length ? converted : undefined;
    const types = new Map<string, number>();
    for (const r of resources) if (typeof r.type === 'string' && !types.has(r.type)) types.set(r.type, types.size);
    const shapes = new ShapeTable();
    const encoded = resources.map((r) => encodeResource(r, { common, urnPrefix, urnKey, providers, hashes, types, shapes }));
    const { shapes: shapeList, sharedShapes, shapeSources } = shapes.finish();
    // the encoding's fields before `resources`, so a reader of the text sees the key first
    const { resources: _, ...rest } = part;
    return {
        ...rest,
        common,
        ...(urnPrefix === undefined ? {} : { urnPrefix }),
        ...(urnKey === URN_BY_ID ? { urnKey } : {}),
        ...(hashes === undefined ? {} : { hashes: BASE64URL }),
        types: [...types.keys()],
        shapes: shapeList,
        sharedShapes,
        ...(shapeSources.length ? { shapeSources } : {}),
        resources: encoded,
    } as unknown as T & EncodedResourcesFields;
}

/** What the encoding of every resource of a file depends on. */
interface FileEncoding {
    common: Common;
    urnPrefix: string | undefined;
    urnKey: UrnKey;
    providers: Map<string, Resource>;
    /** Each resource's hash in base64url, when the file writes them so. */
    hashes: Map<Resource, string> | undefined;
    types: Map<string, number>;
    shapes: ShapeTable;
}

function encodeResource(r: Resource, { common, urnPrefix, urnKey, providers, hashes, types, shapes }: FileEncoding): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r)) {
        if (value === undefined) continue; // JSON leaves it out anyway
        if (Object.hasOwn(common, key)) continue; // equal by construction of `common`
        if (key === 'name' && typeof r.id === 'string' && value === r.id) continue;
        if (key === 'type' && typeof value === 'string') {
            out[key] = types.get(value);
            continue;
        }
        if (key === 'hash' && hashes) {
            out[key] = hashes.get(r);
            continue;
        }
        if (key === 'urn' && urnPrefix !== undefined && value === derivedUrn(r, urnPrefix, urnKey)) continue;
        if (key === 'properties') {
            out[key] = propertiesSource(r) ?? shapes.encode(value, key, resourceValues(r, common));
            continue;
        }
        if (key === 'inputs') {
            const changes = inputsFromOutputs(r);
            out[key] = changes ? [changes[0], changes[1], shapes.encode(changes[2], '2')] : shapes.encode(value, key);
            continue;
        }
        if (key === 'outputs') {
            out[key] = shapes.encode(value, key, resourceValues(r, common));
            continue;
        }
        if (key === 'providerResource' && typeof r.provider === 'string') {
            const provider = providers.get(r.provider);
            out[key] = provider && isDeepStrictEqual(value, providerResourceOf(provider)) ? PROVIDER_IN_SHARD : value;
            continue;
        }
        out[key] = value;
    }
    return out;
}

/** What the top-level members of `r`'s properties and outputs may come from (decodeItem gives the same). */
function resourceValues(r: Resource, common: Common): ResourceValues {
    return { id: typeof r.id === 'string' ? r.id : undefined, region: common.region };
}

/** `r`'s inputs as a change of its outputs (see the file comment), when that is shorter. */
function inputsFromOutputs(r: Resource): InputsFromOutputs | undefined {
    const { inputs, outputs } = r;
    if (!isRecord(inputs) || !isRecord(outputs) || inputs === outputs) return undefined;
    const set: Record<string, unknown> = {};
    let shared = 0;
    for (const [key, value] of Object.entries(inputs)) {
        if (value === undefined) continue; // JSON leaves it out anyway
        if (Object.hasOwn(outputs, key) && isDeepStrictEqual(value, outputs[key])) shared++;
        else set[key] = value;
    }
    const leftOut = Object.keys(outputs).filter((key) => outputs[key] !== undefined && !Object.hasOwn(inputs, key));
    return shared > 0 && leftOut.length <= shared ? ['outputs', leftOut, set] : undefined;
}

/** The inputs `encoded` (an InputsFromOutputs, its members decoded as `set`) stands for, or a problem when it is not one. */
function decodeInputs(encoded: unknown[], set: unknown, outputs: unknown): Record<string, unknown> | string {
    const leftOut: unknown = encoded[1];
    if (!isRecord(outputs)) return 'is taken from the outputs but the resource has no outputs';
    if (encoded.length !== 3 || !Array.isArray(leftOut) || !isRecord(set)) return 'is not ["outputs", [keys left out], {members}]';
    const skip = new Set(leftOut);
    // fromEntries, not assignment: a member named __proto__ stays a member
    return Object.fromEntries([...Object.entries(outputs).filter(([key]) => !skip.has(key)), ...Object.entries(set)]);
}

/** Which member of `r` its properties are (the same object, or an equal one), if any. */
function propertiesSource(r: Resource): PropertiesSource | undefined {
    for (const source of ['outputs', 'inputs'] as const) {
        const member = r[source];
        if (member !== undefined && (member === r.properties || isDeepStrictEqual(member, r.properties))) return source;
    }
    return undefined;
}

/**
 * Turns the parsed content of a resources file back into full Resource objects, in place,
 * and removes the encoding's top-level fields. Content without `common` is left as it is
 * (see the file comment). Items it cannot decode are recorded (decodeProblemOf).
 */
export function decodeShardResources(data: Record<string, unknown> & EncodedResourcesFields & { resources: unknown[] }): void {
    const { common, urnPrefix, urnKey, hashes, types } = data;
    if (common === undefined) return;
    const written = data.shapes;
    const { sharedShapes, shapeSources } = data;
    delete data.common;
    delete data.urnPrefix;
    delete data.urnKey;
    delete data.hashes;
    delete data.types;
    delete data.shapes;
    delete data.sharedShapes;
    delete data.shapeSources;
    const where = (index: number, field: string) => `resources[${index}].${field}`;
    const problem = (item: object, text: string) => {
        if (!decodeProblems.has(item)) decodeProblems.set(item, text);
    };
    if (!isRecord(common) || !Object.values(common).every((value) => typeof value === 'string')) {
        // every item depends on it: report them all rather than guess
        data.resources.forEach((item, i) => isRecord(item) && problem(item, `${where(i, 'account')} cannot be read: the file's "common" is not an object of strings`));
        return;
    }
    let shapes: ShapeReader | undefined;
    try {
        shapes = written === undefined ? undefined : new ShapeReader(written, sharedShapes, shapeSources);
    } catch (error) {
        if (!(error instanceof ShapeProblem)) throw error;
        data.resources.forEach((item, i) => isRecord(item) && problem(item, `${where(i, 'properties')} ${error.message}`));
        return;
    }
    const providers = new Map<string, Resource>();
    const items = data.resources;
    items.forEach((item, i) => {
        if (!isRecord(item)) return; // takeBadItems reports it as it is
        const found: string[] = [];
        const resource = decodeItem(item, { common, urnPrefix, urnKey, hashes, types, shapes }, (field, text) => found.push(`${where(i, field)} ${text}`));
        items[i] = resource;
        if (found.length) problem(resource, found[0]!);
        else if (isProvider(resource) && resource.id !== undefined) providers.set(referenceTo(resource), resource as unknown as Resource);
    });
    // the provider resources are known once every item is decoded
    const derived = new Map<Resource, ProviderResource>();
    items.forEach((item, i) => {
        if (!isRecord(item) || item.providerResource !== PROVIDER_IN_SHARD) return;
        const provider = typeof item.provider === 'string' ? providers.get(item.provider) : undefined;
        if (!provider) {
            problem(item, `${where(i, 'providerResource')} names the provider ${JSON.stringify(item.provider)}, which is not in the shard`);
            return;
        }
        // one object per provider: every resource that uses it holds the same, read-only
        let providerResource = derived.get(provider);
        if (!providerResource) derived.set(provider, (providerResource = providerResourceOf(provider)));
        item.providerResource = providerResource;
    });
}
