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

interface ShapeNode {
    /** The key list that ends here, once an object has it. */
    keys: string[] | undefined;
    /** How many objects have it. */
    uses: number;
    /** Its index in `shapes`, given by finish. */
    index: number;
    next: Map<string, ShapeNode> | undefined;
}

const newNode = (): ShapeNode => ({ keys: undefined, uses: 0, index: -1, next: undefined });

/** A file's shapes: `shapes`, the shared ones first, and `sharedShapes`, how many (see the file comment). */
export interface WrittenShapes {
    shapes: string[][];
    sharedShapes: number;
}

/** Collects the shapes of the objects it encodes; one per file. */
export class ShapeTable {
    private readonly root = newNode();
    private readonly keys: string[] = [];
    /** The shapes in the order first seen. */
    private readonly found: ShapeNode[] = [];
    /** Every object encoded (its shape's index goes first, when finish knows it) and its shape. */
    private readonly objects: unknown[][] = [];
    private readonly objectShapes: ShapeNode[] = [];

    /** `value` (a member of a resource) as the file holds it; undefined where JSON would leave it out. */
    encode(value: unknown, key: string | number = ''): unknown {
        const plain = jsonValue(value, key);
        if (typeof plain !== 'object' || plain === null) return plain;
        return Array.isArray(plain) ? this.encodeArray(plain) : this.encodeObject(plain as Record<string, unknown>);
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

    private encodeObject(object: Record<string, unknown>): unknown[] {
        const out: unknown[] = [0];
        let node = this.root;
        const depth = this.keys.length;
        // Object.keys: the members and the order JSON.stringify writes
        for (const key of Object.keys(object)) {
            const value = this.encode(object[key], key);
            if (value === undefined) continue;
            node.next ??= new Map();
            let next = node.next.get(key);
            if (!next) node.next.set(key, (next = newNode()));
            node = next;
            this.keys.push(key);
            out.push(value);
        }
        if (node.uses++ === 0) {
            node.keys = this.keys.slice(depth);
            this.found.push(node);
        }
        this.keys.length = depth;
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
        return { shapes: ordered.map((node) => node.keys!), sharedShapes: shared.length };
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
    private readonly constructors: (ShapeConstructor | undefined)[] = [];
    /** What the next fill of a shape's object reads (set just before each `new`). */
    private keys: readonly string[] = [];
    private values: unknown[] = [];
    private readonly fill = (into: Record<string, unknown>) => this.decodeMembers(into, this.keys, this.values, 1);

    /** Throws ShapeProblem when `shapes` is not a list of key lists. */
    constructor(shapes: unknown, sharedShapes: unknown) {
        if (!Array.isArray(shapes) || !shapes.every((keys) => Array.isArray(keys) && keys.every((key) => typeof key === 'string'))) {
            throw new ShapeProblem('cannot be read: the file\'s "shapes" is not a list of lists of member names');
        }
        this.shapes = shapes as string[][];
        this.sharedShapes = Number.isInteger(sharedShapes) && (sharedShapes as number) >= 0 ? Math.min(sharedShapes as number, shapes.length) : 0;
    }

    /** The value `written` stands for; throws ShapeProblem (with the path inside `written`) when it cannot be decoded. */
    decode(written: unknown): unknown {
        if (typeof written !== 'object' || written === null) return written;
        if (!Array.isArray(written)) return this.decodeMembers({}, Object.keys(written), written as Record<string, unknown>, 0);
        const first: unknown = written[0];
        if (typeof first !== 'number') return this.decodeArray(written, 0);
        if (first === PLAIN_ARRAY) return this.decodeArray(written, 1);
        const keys = Number.isInteger(first) ? this.shapes[first] : undefined;
        if (keys === undefined) throw new ShapeProblem(`is written as shape ${first}, which is not in the file's "shapes"`);
        if (written.length !== keys.length + 1) throw new ShapeProblem(`is written as shape ${first}, of ${keys.length} members, with ${written.length - 1} values`);
        if (first >= this.sharedShapes) return this.decodeMembers({}, keys, written, 1);
        const Shape = (this.constructors[first] ??= shapeConstructor());
        this.keys = keys;
        this.values = written;
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

    /** Gives `out` the members `keys`, in their order, each from `values[from + i]` (or `values[key]` for an object written out). */
    private decodeMembers(out: Record<string, unknown>, keys: readonly string[], values: Record<string, unknown> | unknown[], from: number): Record<string, unknown> {
        const byIndex = Array.isArray(values);
        for (let i = 0; i < keys.length; i++) {
            const key = keys[i]!;
            let value = byIndex ? values[from + i] : values[key];
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
