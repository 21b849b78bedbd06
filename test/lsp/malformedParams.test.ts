/**
 * Property-style: every custom request, sent params that are wrong in every way its schema
 * allows to be wrong (a wrong type or an empty name for each field, a missing required
 * field, a non-object), in a seeded random order, to the real bundled server. Each must be
 * answered with InvalidParams naming a field; afterwards the server still serves valid
 * requests and the store is what it was (`policy group ls` from the CLI too).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc/node';
import { runCli } from '../../server/src/cli/runCli';
import { CreateGroupRequest, GetServerStatusRequest, ListGroupsRequest } from '../../server/src/shared/protocol';
import { REQUEST_SCHEMAS } from '../../server/src/validation/boundarySchemas';
import { startServer } from './lspClient';

type Schema = { type?: string; enum?: string[]; anyOf?: unknown[]; minLength?: number; maxLength?: number; minimum?: number; maximum?: number; required?: string[]; properties?: Record<string, Schema>; items?: Schema };

/** Values that `schema` rejects. */
function wrongValues(schema: Schema): unknown[] {
    if (schema.anyOf) return [5, ['x']];
    if (schema.enum) return ['zz-not-a-value', 5, ''];
    switch (schema.type) {
        case 'string':
            return [5, true, null, ['a'], { a: 1 }, ...(schema.minLength ? [''] : []), ...(schema.maxLength ? ['x'.repeat(schema.maxLength + 1)] : [])];
        case 'integer':
            return ['1', 1.5, null, ...(schema.minimum !== undefined ? [schema.minimum - 1] : []), ...(schema.maximum !== undefined ? [schema.maximum + 1] : [])];
        case 'boolean':
            return ['yes', 0, null];
        case 'array':
            return ['a', { 0: 'a' }, null, ...(schema.items ? wrongValues(schema.items).slice(0, 2).map((v) => [v]) : [])];
        case 'object':
            return ['x', 5, [], null];
        default:
            return [];
    }
}

/** Complete params with a valid-looking value per required field, so one wrong field at a time is what is tested. */
function validLooking(schema: Schema): Record<string, unknown> {
    const value = (s: Schema): unknown =>
        s.enum ? s.enum[0] : s.anyOf ? null : s.type === 'string' ? 'x' : s.type === 'integer' ? 0 : s.type === 'boolean' ? false : s.type === 'array' ? [] : s.type === 'object' ? validLooking(s) : null;
    return Object.fromEntries((schema.required ?? []).map((field) => [field, value(schema.properties![field]!)]));
}

function malformedParams(schema: Schema): unknown[] {
    const cases: unknown[] = ['x', 5, [], true];
    if ((schema.required ?? []).length) cases.push({}, null);
    const base = validLooking(schema);
    for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
        for (const wrong of wrongValues(fieldSchema)) cases.push({ ...base, [field]: wrong });
        // one level down (a filter's lists, a sort's column)
        for (const [inner, innerSchema] of Object.entries(fieldSchema.properties ?? {})) {
            for (const wrong of wrongValues(innerSchema).slice(0, 2)) cases.push({ ...base, [field]: { ...validLooking(fieldSchema), [inner]: wrong } });
        }
    }
    for (const field of schema.required ?? []) {
        const { [field]: _omitted, ...rest } = base;
        cases.push(rest);
    }
    return cases;
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

test('every custom request answers malformed params with InvalidParams naming a field, and the server stays consistent', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-malformed-'));
    const session = await startServer({ home, trusted: false });
    try {
        const sends: { method: string; params: unknown }[] = [];
        for (const [method, schema] of Object.entries(REQUEST_SCHEMAS)) {
            if (schema) for (const params of malformedParams(schema as Schema)) sends.push({ method, params });
        }
        const next = random(Number(process.env.PI_PROPERTY_SEED ?? 11));
        for (let i = sends.length - 1; i > 0; i--) {
            const j = Math.floor(next() * (i + 1));
            [sends[i], sends[j]] = [sends[j]!, sends[i]!];
        }
        assert.ok(sends.length > 300, `${sends.length} malformed requests`);
        for (const { method, params } of sends) {
            const what = `${method} ${JSON.stringify(params)?.slice(0, 120)}`;
            await assert.rejects(
                session.connection.sendRequest(method, params),
                (err: unknown) => {
                    assert.ok(err instanceof ResponseError, `${what}: ${String(err)}`);
                    assert.equal(err.code, ErrorCodes.InvalidParams, `${what}: ${err.message}`);
                    assert.match(err.message, /params(\.|\s|\[)/, what);
                    return true;
                },
                what,
            );
        }
        // consistent afterwards: the status, a valid request, and the CLI over the same store
        assert.equal((await session.connection.sendRequest(GetServerStatusRequest.type)).state, 'ready');
        await session.connection.sendRequest(CreateGroupRequest.type, { name: 'after-the-storm' });
        assert.deepEqual(
            (await session.connection.sendRequest(ListGroupsRequest.type)).map((g) => g.name),
            ['default-policy-group', 'after-the-storm'],
        );
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli(['policy', 'group', 'ls', '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
        assert.equal(code, 0, err.join('\n'));
        assert.match(out.join('\n'), /after-the-storm/);
    } finally {
        assert.equal(await session.close(), 0, session.stderr());
        rmSync(home, { recursive: true, force: true });
    }
});

test('createGroup {} (the request that used to store a nameless group) is refused and stores nothing', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-malformed-'));
    const session = await startServer({ home, trusted: false });
    try {
        await assert.rejects(session.connection.sendRequest(CreateGroupRequest.type, {} as never), /params\.name is required\. Nothing was changed/);
        assert.deepEqual((await session.connection.sendRequest(ListGroupsRequest.type)).map((g) => g.name), ['default-policy-group']);
    } finally {
        await session.close();
        rmSync(home, { recursive: true, force: true });
    }
});
