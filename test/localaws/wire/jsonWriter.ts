// Converts SDK-shaped values to the JSON body that AWS JSON 1.0/1.1 and REST-JSON services
// send, driven by the SDK's Smithy schemas (timestamps as epoch seconds, blobs as base64).
import { type NormalizedSchema } from '@smithy/core/schema';
import { toEpochSeconds, toHttpDate, toIsoTimestamp } from './timestamps';

interface JsonMember {
    memberName: string;
    member: NormalizedSchema;
    jsonName: string;
}

// Walking a schema's traits is the costly part of writing big pages; do it once per shape.
const memberCache = new WeakMap<object, JsonMember[]>();

function membersOf(schema: NormalizedSchema): JsonMember[] {
    const key = schema.getSchema() as object;
    let members = memberCache.get(key);
    if (!members) {
        members = [];
        for (const [memberName, member] of schema.structIterator()) {
            members.push({ memberName, member, jsonName: (member.getMergedTraits().jsonName as string | undefined) ?? memberName });
        }
        memberCache.set(key, members);
    }
    return members;
}

/** The JSON-ready form of one schema-typed value. `useJsonName` is true for REST-JSON. */
export function toJsonValue(schema: NormalizedSchema, value: unknown, useJsonName = false): unknown {
    if (value === undefined || value === null) return undefined;
    if (schema.isListSchema()) {
        const itemSchema = schema.getValueSchema();
        return (value as unknown[]).map((item) => toJsonValue(itemSchema, item, useJsonName));
    }
    if (schema.isMapSchema()) {
        const valueSchema = schema.getValueSchema();
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJsonValue(valueSchema, v, useJsonName);
        return out;
    }
    if (schema.isStructSchema()) {
        const record = value as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const { memberName, member, jsonName } of membersOf(schema)) {
            const memberValue = toJsonValue(member, record[memberName], useJsonName);
            if (memberValue === undefined) continue;
            out[useJsonName ? jsonName : memberName] = memberValue;
        }
        return out;
    }
    if (schema.isTimestampSchema()) {
        const format = schema.getSchema();
        if (format === 5) return toIsoTimestamp(value);
        if (format === 6) return toHttpDate(value);
        return toEpochSeconds(value);
    }
    if (schema.isBlobSchema()) return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
    return value;
}
