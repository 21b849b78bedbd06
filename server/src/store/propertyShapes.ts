/**
 * Property content written once per shape (schema version 4, see resourceEncoding.ts): the
 * member *names* of the objects inside a resource's properties, inputs and outputs repeat in
 * every resource of a type (a quarter of an AWS shard was key text), so a file lists each
 * key list once, in its top-level `shapes`, and an object is written as its shape's index
 * followed by its values in key order:
 *
 *   "shapes": [["arn", "size", "tags"], ["team"]]
 *   {"arn": "a", "size": 2, "tags": {"team": "web"}}   is written   [0, "a", 2, [1, "web"]]
 *
 * - An array whose first element is a number is an object: the number is its shape's index.
 *   An array of the content whose first element (as written) is a number gets -1 in front
 *   (`[-1, 80, 443]` is `[80, 443]`); any other array is itself.
 * - An object written as an object (a hand edit) is itself, its values written the same way.
 *   The encoder writes none.
 * - Everything else is written as JSON writes it. What JSON.stringify leaves out (undefined
 *   members, functions) is left out, toJSON (a Date) is applied, boxed primitives are
 *   unboxed: the text reads back as JSON.parse would read the plain JSON, including member
 *   order, members named `__proto__` (own data members, as JSON.parse makes them) and
 *   numbers (1e21 stays 1e21; -0 is written 0, as JSON writes it).
 * - A member of a resource's `properties` or `outputs` (the object itself, not one inside it)
 *   whose value is the resource's id, or the region every resource of the file has, is no
 *   value of the object: its shape says where it comes from, in the file's `shapeSources`,
 *   `[shape index, member index, "id" | "region"]` each (so a key list is listed once per
 *   way its members are filled). An ARN that is the id, and `region`, are in most discovered
 *   resources.
 *
 * Decoding builds every object by adding its members in key order, so the objects of a shape
 * share one V8 hidden class, as JSON.parse's do. The shapes more than one object has come
 * first in `shapes`, and `sharedShapes` says how many they are: their objects are made by a
 * constructor of the shape's own, which V8 sizes to their members after the first few (slack
 * tracking). Measured on the bench's shards, the retained heap is then JSON.parse's, where
 * objects grown from `{}` kept 4-7% more; a shape of one object (a map keyed by names) gets
 * no constructor, which would cost it ~240 bytes. `sharedShapes` changes how fast a file
 * reads, never what it reads: a value that is no count of `shapes` is taken as 0.
 */

/** The first element of an array of the content whose own first element is a number. */
const PLAIN_ARRAY = -1;

/** Where a member of a resource's top-level content may come from instead of its value. */
export type MemberSource = 'id' | 'region';
const MEMBER_SOURCES: readonly MemberSource[] = ['id', 'region'];
/** The values a resource's top-level content may take members from. */
export type ResourceValues = Partial<Record<MemberSource, string>>;

interface ShapeNode {
    /** The key list that ends here, once an object has it. */
    keys: string[] | undefined;
    /** Where each member comes from (undefined: its value), when one comes from the resource. */
    sources: (MemberSource | undefined)[] | undefined;
    /** How many objects have it. */
    uses: number;
    /** Its index in `shapes`, given by finish. */
    index: number;
    next: Map<string, ShapeNode> | undefined;
    /** The next member when it comes from the resource, by source. */
    nextSourced: Partial<Record<MemberSource, Map<string, ShapeNode>>> | undefined;
}

const newNode = (): ShapeNode => ({ keys: undefined, sources: undefined, uses: 0, index: -1, next: undefined, nextSourced: undefined });

/** A member of a shape that comes from the resource: `[shape index, member index, source]`. */
type ShapeSource = [number, number, MemberSource];

/** A file's shapes: `shapes`, the shared ones first, `sharedShapes`, how many, and `shapeSources` (see the file comment). */
export interface WrittenShapes {
    shapes: string[][];
    sharedShapes: number;
    shapeSources: ShapeSource[];
}

/** Collects the shapes of the objects it encodes; one per file. */
export class ShapeTable {
    private readonly root = newNode();
    private readonly keys: string[] = [];
    private readonly sources: (MemberSource | undefined)[] = [];
    /** The shapes in the order first seen. */
    private readonly found: ShapeNode[] = [];
    /** Every object encoded (its shape's index goes first, when finish knows it) and its shape. */
    private readonly objects: unknown[][] = [];
    private readonly objectShapes: ShapeNode[] = [];

    /**
     * `value` (a member of a resource) as the file holds it; undefined where JSON would leave
     * it out. `from`: the values its own members may be taken from (see the file comment).
     */
    encode(value: unknown, key: string | number = '', from?: ResourceValues): unknown {
        const plain = jsonValue(value, key);
        if (typeof plain !== 'object' || plain === null) return plain;
        return Array.isArray(plain) ? this.encodeArray(plain) : this.encodeObject(plain as Record<string, unknown>, from);
    }

    private encodeArray(items: unknown[]): unknown[] {
        const out: unknown[] = [];
        for (let i = 0; i < items.length; i++) {
            const item = this.encode(items[i], i);
            // JSON writes a member it cannot write as null in an array
            out.push(item === undefined ? null : item);
        }
        if (typeof out[0] === 'number') out.unshift(PLAIN_ARRAY);
        return out;
    }

    private encodeObject(object: Record<string, unknown>, from: ResourceValues | undefined): unknown[] {
        const out: unknown[] = [0];
        let node = this.root;
        const depth = this.keys.length;
        let sourced = false;
        // Object.keys: the members and the order JSON.stringify writes
        for (const key of Object.keys(object)) {
            const value = this.encode(object[key], key);
            if (value === undefined) continue;
            // the decoder gives back the very string: the resource's id, the file's region
            const source: MemberSource | undefined = from === undefined || typeof value !== 'string' ? undefined : value === from.id ? 'id' : value === from.region ? 'region' : undefined;
            let nextOf: Map<string, ShapeNode>;
            if (source === undefined) {
                nextOf = node.next ??= new Map();
                out.push(value);
            } else {
                nextOf = (node.nextSourced ??= {})[source] ??= new Map();
                sourced = true;
            }
            let next = nextOf.get(key);
            if (!next) nextOf.set(key, (next = newNode()));
            node = next;
            this.keys.push(key);
            this.sources.push(source);
        }
        if (node.uses++ === 0) {
            node.keys = this.keys.slice(depth);
            if (sourced) node.sources = this.sources.slice(depth);
            this.found.push(node);
        }
        this.keys.length = depth;
        this.sources.length = depth;
        this.objects.push(out);
        this.objectShapes.push(node);
        return out;
    }

    /** The file's shapes, once every value is encoded: numbers the shapes, shared ones first, and writes each object's. */
    finish(): WrittenShapes {
        const shared = this.found.filter((node) => node.uses > 1);
        const ordered = [...shared, ...this.found.filter((node) => node.uses === 1)];
        ordered.forEach((node, index) => (node.index = index));
        for (let i = 0; i < this.objects.length; i++) this.objects[i]![0] = this.objectShapes[i]!.index;
        const shapeSources: ShapeSource[] = [];
        for (const node of ordered) node.sources?.forEach((source, member) => source && shapeSources.push([node.index, member, source]));
        return { shapes: ordered.map((node) => node.keys!), sharedShapes: shared.length, shapeSources };
    }
}

/** What JSON.stringify writes for `value` as the member `key` (an index in an array): undefined when it leaves it out. */
function jsonValue(value: unknown, key: string | number): unknown {
    if (typeof value === 'object' && value !== null) {
        const toJSON = (value as { toJSON?: unknown }).toJSON;
        // once, as JSON.stringify does: a toJSON of what toJSON gives is not called
        if (typeof toJSON === 'function') value = (toJSON as (key: string) => unknown).call(value, String(key));
    }
    if (typeof value === 'object' && value !== null) {
        if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf();
        return value;
    }
    if (typeof value === 'function' || typeof value === 'symbol' || value === undefined) return undefined;
    // JSON writes NaN and Infinity as null
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    return value;
}

/** Why a value could not be decoded, and where in it (innermost last). */
export class ShapeProblem extends Error {
    readonly path: string[] = [];
}

/** A member name as a path segment: `.name`, or `["a b"]` when it is no identifier. */
const segment = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/** Makes the objects of one shape: `new` sets `this` up, and fill gives it its members. */
type ShapeConstructor = new (fill: (into: Record<string, unknown>) => void) => Record<string, unknown>;

/** A constructor of its own for one shape (see the file comment), whose objects are plain objects. */
function shapeConstructor(): ShapeConstructor {
    function Shape(this: Record<string, unknown>, fill: (into: Record<string, unknown>) => void): void {
        fill(this);
    }
    // their prototype is Object.prototype, as an object literal's: they are plain objects to every reader
    Shape.prototype = Object.prototype;
    return Shape as unknown as ShapeConstructor;
}

/** Turns the values of a file's content back into what was written; one per file. */
export class ShapeReader {
    private readonly shapes: readonly (readonly string[])[];
    /** The shapes below it have a constructor (see the file comment). */
    private readonly sharedShapes: number;
    /** Per shape, where each member comes from, when one comes from the resource. */
    private readonly sources: ((MemberSource | undefined)[] | undefined)[] = [];
    private readonly constructors: (ShapeConstructor | undefined)[] = [];
    /** What the next fill of a shape's object reads (set just before each `new`). */
    private keys: readonly string[] = [];
    private values: unknown[] = [];
    private memberSources: (MemberSource | undefined)[] | undefined;
    private from: ResourceValues | undefined;
    private readonly fill = (into: Record<string, unknown>) => this.decodeMembers(into, this.keys, this.values, 1, this.memberSources, this.from);

    /** Throws ShapeProblem when `shapes` is not a list of key lists, or `shapeSources` not a list of their members' sources. */
    constructor(shapes: unknown, sharedShapes: unknown, shapeSources: unknown) {
        if (!Array.isArray(shapes) || !shapes.every((keys) => Array.isArray(keys) && keys.every((key) => typeof key === 'string'))) {
            throw new ShapeProblem('cannot be read: the file\'s "shapes" is not a list of lists of member names');
        }
        this.shapes = shapes as string[][];
        this.sharedShapes = Number.isInteger(sharedShapes) && (sharedShapes as number) >= 0 ? Math.min(sharedShapes as number, shapes.length) : 0;
        for (const entry of shapeSources === undefined ? [] : Array.isArray(shapeSources) ? (shapeSources as unknown[]) : [shapeSources]) {
            const [shape, member, source] = Array.isArray(entry) ? (entry as unknown[]) : [];
            const keys = typeof shape === 'number' ? this.shapes[shape] : undefined;
            if (!Array.isArray(entry) || entry.length !== 3 || !keys || typeof member !== 'number' || keys[member] === undefined || !MEMBER_SOURCES.includes(source as MemberSource)) {
                throw new ShapeProblem(`cannot be read: the file's "shapeSources" holds ${JSON.stringify(entry)}, which is no [shape index, member index, "id" or "region"]`);
            }
            (this.sources[shape as number] ??= [])[member] = source as MemberSource;
        }
    }

    /**
     * The value `written` stands for; throws ShapeProblem (with the path inside `written`)
     * when it cannot be decoded. `from`: the values of the resource whose top-level content
     * `written` is, for the members that come from them.
     */
    decode(written: unknown, from?: ResourceValues): unknown {
        if (typeof written !== 'object' || written === null) return written;
        if (!Array.isArray(written)) return this.decodeMembers({}, Object.keys(written), written as Record<string, unknown>, 0);
        const first: unknown = written[0];
        if (typeof first !== 'number') return this.decodeArray(written, 0);
        if (first === PLAIN_ARRAY) return this.decodeArray(written, 1);
        const keys = Number.isInteger(first) ? this.shapes[first] : undefined;
        if (keys === undefined) throw new ShapeProblem(`is written as shape ${first}, which is not in the file's "shapes"`);
        const sources = this.sources[first];
        let values = keys.length;
        if (sources) {
            for (let i = 0; i < keys.length; i++) {
                const source = sources[i];
                if (source === undefined) continue;
                values--;
                if (from?.[source] === undefined) throw new ShapeProblem(`is written as shape ${first}, whose member ${JSON.stringify(keys[i])} is the resource's ${source}, where no resource's ${source} is at hand`);
            }
        }
        if (written.length !== values + 1) throw new ShapeProblem(`is written as shape ${first} with ${written.length - 1} values, not ${values}`);
        if (first >= this.sharedShapes) return this.decodeMembers({}, keys, written, 1, sources, from);
        const Shape = (this.constructors[first] ??= shapeConstructor());
        this.keys = keys;
        this.values = written;
        this.memberSources = sources;
        this.from = from;
        return new Shape(this.fill);
    }

    private decodeArray(written: unknown[], from: number): unknown[] {
        const out: unknown[] = new Array(written.length - from);
        for (let i = from; i < written.length; i++) {
            const item = written[i];
            try {
                // most values are strings and numbers: no call for them
                out[i - from] = typeof item === 'object' && item !== null ? this.decode(item) : item;
            } catch (error) {
                if (error instanceof ShapeProblem) error.path.unshift(`[${i - from}]`);
                throw error;
            }
        }
        return out;
    }

    /**
     * Gives `out` the members `keys`, in their order, each from the next of `values` starting
     * at `from` (or `values[key]` for an object written out), or from `resource` where
     * `sources` says (decode checked it has them).
     */
    private decodeMembers(
        out: Record<string, unknown>,
        keys: readonly string[],
        values: Record<string, unknown> | unknown[],
        from: number,
        sources?: readonly (MemberSource | undefined)[],
        resource?: ResourceValues,
    ): Record<string, unknown> {
        const byIndex = Array.isArray(values);
        let next = from;
        for (let i = 0; i < keys.length; i++) {
            const key = keys[i]!;
            const source = sources?.[i];
            let value = source !== undefined ? resource![source] : byIndex ? values[next++] : values[key];
            try {
                if (typeof value === 'object' && value !== null) value = this.decode(value);
            } catch (error) {
                if (error instanceof ShapeProblem) error.path.unshift(segment(key));
                throw error;
            }
            // defineProperty: a member named __proto__ stays a member
            if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
            else out[key] = value;
        }
        return out;
    }
}
