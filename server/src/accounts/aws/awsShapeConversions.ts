/** Small conversions shared by the AWS discoverers: AWS SDK shapes into @pulumi/aws property shapes, and the code an SDK error carries. */

/** AWS `[{ Key, Value }]` tags as the `{ key: value }` map Pulumi's `tags` property holds; undefined when there are none. */
export function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> | undefined {
    if (!tags || tags.length === 0) return undefined;
    const map: Record<string, string> = {};
    for (const tag of tags) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
    return map;
}

/** The `Name` tag, the name AWS consoles show. */
export function nameTag(tags: readonly { Key?: string; Value?: string }[] | undefined): string | undefined {
    return tags?.find((t) => t.Key === 'Name')?.Value || undefined;
}

/** Dates as ISO strings (the SDK parses timestamps into Date objects; the store keeps JSON). */
export function isoDate(value: Date | string | undefined): string | undefined {
    if (value === undefined) return undefined;
    return value instanceof Date ? value.toISOString() : value;
}

/** IAM returns policy documents URL-encoded; Pulumi holds them as JSON text. */
export function decodePolicyDocument(document: string | undefined): string | undefined {
    if (document === undefined) return undefined;
    try {
        return decodeURIComponent(document);
    } catch {
        return document;
    }
}

/** Drops undefined members so stored properties (and their hashes) hold only what AWS said. */
export function compact<T extends Record<string, unknown>>(value: T): T {
    for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
    return value;
}

/** The error code an SDK error carries (`AccessDenied`, `ThrottlingException`, `TimeoutError`, ...). */
export function errorCode(error: unknown): string {
    const e = error as { name?: string; Code?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    return e?.Code ?? e?.name ?? e?.code ?? 'Error';
}
