// Serializes SDK-shaped values (the objects the AWS SDK v3 returns) to the XML that the
// service itself sends, driven by the SDK's published Smithy schemas. The element names
// therefore come from the same model AWS generates its documentation and wire format from
// (xmlName, xmlFlattened, xmlAttribute, xmlNamespace traits), not from hand-kept tables.
import { type NormalizedSchema } from '@smithy/core/schema';
import { toIsoTimestamp, toEpochSeconds, toHttpDate } from './timestamps';

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
    return text.replace(/[&<>"']/g, (c) =>
        c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
    );
}

interface XmlMember {
    memberName: string;
    member: NormalizedSchema;
    elementName: string;
    isAttribute: boolean;
}

// Walking a schema's traits is the costly part of writing big pages; do it once per shape.
const memberCache = new WeakMap<object, XmlMember[]>();

function membersOf(schema: NormalizedSchema): XmlMember[] {
    const key = schema.getSchema() as object;
    let members = memberCache.get(key);
    if (!members) {
        members = [];
        for (const [memberName, member] of schema.structIterator()) {
            members.push({
                memberName,
                member,
                elementName: (member.getMemberTraits().xmlName as string | undefined) ?? memberName,
                isAttribute: !!member.getMergedTraits().xmlAttribute,
            });
        }
        memberCache.set(key, members);
    }
    return members;
}

/** Appends `<name>value</name>` for one schema-typed value to `out`. Undefined values write nothing. */
export function writeXmlValue(out: string[], schema: NormalizedSchema, value: unknown, name: string, extraAttributes = ''): void {
    if (value === undefined || value === null) return;
    if (schema.isListSchema()) {
        const items = value as unknown[];
        const itemSchema = schema.getValueSchema();
        if (schema.getMergedTraits().xmlFlattened) {
            for (const item of items) writeXmlValue(out, itemSchema, item, name);
            return;
        }
        const itemName = (itemSchema.getMergedTraits().xmlName as string | undefined) ?? 'member';
        out.push(`<${name}${extraAttributes}>`);
        for (const item of items) writeXmlValue(out, itemSchema, item, itemName);
        out.push(`</${name}>`);
        return;
    }
    if (schema.isMapSchema()) {
        const keyName = (schema.getKeySchema().getMergedTraits().xmlName as string | undefined) ?? 'key';
        const valueSchema = schema.getValueSchema();
        const valueName = (valueSchema.getMergedTraits().xmlName as string | undefined) ?? 'value';
        const flat = !!schema.getMergedTraits().xmlFlattened;
        if (!flat) out.push(`<${name}${extraAttributes}>`);
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            out.push(flat ? `<${name}>` : '<entry>', `<${keyName}>${escapeXml(k)}</${keyName}>`);
            writeXmlValue(out, valueSchema, v, valueName);
            out.push(flat ? `</${name}>` : '</entry>');
        }
        if (!flat) out.push(`</${name}>`);
        return;
    }
    if (schema.isStructSchema()) {
        const record = value as Record<string, unknown>;
        let attributes = extraAttributes;
        const namespace = schema.getMergedTraits().xmlNamespace as [string, string] | undefined;
        if (namespace && !extraAttributes.includes('xmlns')) attributes += ` xmlns:${namespace[0]}="${escapeXml(namespace[1])}"`;
        const open = out.length;
        out.push('');
        for (const { memberName, member, elementName, isAttribute } of membersOf(schema)) {
            const memberValue = record[memberName];
            if (memberValue === undefined || memberValue === null) continue;
            if (isAttribute) attributes += ` ${elementName}="${escapeXml(scalarText(member, memberValue))}"`;
            else writeXmlValue(out, member, memberValue, elementName);
        }
        out[open] = `<${name}${attributes}>`;
        out.push(`</${name}>`);
        return;
    }
    out.push(`<${name}${extraAttributes}>${escapeXml(scalarText(schema, value))}</${name}>`);
}

/** The text form of a scalar: XML protocols write timestamps as ISO 8601 unless the model says otherwise. */
function scalarText(schema: NormalizedSchema, value: unknown): string {
    if (schema.isTimestampSchema()) {
        const format = schema.getSchema();
        if (format === 6) return toHttpDate(value);
        if (format === 7) return String(toEpochSeconds(value));
        return toIsoTimestamp(value);
    }
    if (schema.isBlobSchema()) {
        return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
    }
    return String(value);
}
