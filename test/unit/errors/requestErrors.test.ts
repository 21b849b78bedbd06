/**
 * The server's door (handlers/validatedConnection.ts) applies one error policy to every custom
 * request and language feature, over a real JSON-RPC connection (an in-memory stream pair, as
 * vscode-languageserver-node's own connection tests do): a user error is answered with
 * USER_ERROR_CODE and its message; anything else with InternalError naming the request and the
 * message but not the stack, which goes to the server's log; a handler translates nothing.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { createMessageConnection, ErrorCodes, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, type Connection } from 'vscode-languageserver/node';
import { HoverRequest, LogMessageNotification, MessageType } from 'vscode-languageserver-protocol';
import { validatedConnection } from '../../../server/src/handlers/validatedConnection';
import { untrustedError } from '../../../server/src/handlers/serverContext';
import { USER_ERROR_CODE } from '../../../server/src/shared/errors';
import { GetServerStatusRequest, ListAccountsRequest, ListGroupsRequest, ListPacksRequest, RemoveGroupRequest, ScanAccountRequest } from '../../../server/src/shared/protocol';
import { GroupError } from '../../../server/src/groups';
import type { PolicyGroupView } from '../../../server/src/shared/model';

let server: Connection;
let client: MessageConnection;
const logged: { type: number; message: string }[] = [];

before(() => {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    server = validatedConnection(createConnection(toServer, toClient));
    client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    client.onNotification(LogMessageNotification.method, (params: { type: number; message: string }) => void logged.push(params));
    // handlers as they are written: they throw what they throw
    server.onRequest(ListPacksRequest.type, () => {
        throw new GroupError('not-found', 'No policy group "x".');
    });
    server.onRequest(ListGroupsRequest.type, async () => {
        await Promise.resolve();
        const cached = new Map<string, PolicyGroupView[]>();
        return cached.get('groups')!.slice();
    });
    server.onRequest(ListAccountsRequest.type, () => {
        throw untrustedError('scan accounts');
    });
    server.onRequest(RemoveGroupRequest.type, () => Promise.reject(new Error('a broken invariant')));
    server.onRequest(ScanAccountRequest.type, () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/h/catalog.json' });
    });
    server.onRequest(GetServerStatusRequest.type, () => ({ state: 'ready' as const, home: '/h', trusted: true }));
    server.onHover(() => {
        throw new RangeError('a hover past the end of the document');
    });
    server.listen();
    client.listen();
});
after(() => {
    client.dispose();
    server.dispose();
});

async function refusal(request: Promise<unknown>): Promise<ResponseError<unknown>> {
    try {
        await request;
    } catch (err) {
        assert.ok(err instanceof ResponseError, String(err));
        return err;
    }
    assert.fail('the request succeeded');
}

test('a user error thrown by a handler is answered with USER_ERROR_CODE and its message, and logs nothing', async () => {
    const before = logged.length;
    const err = await refusal(client.sendRequest(ListPacksRequest.type));
    assert.equal(err.code, USER_ERROR_CODE);
    assert.equal(err.message, 'No policy group "x".');
    const untrusted = await refusal(client.sendRequest(ListAccountsRequest.type));
    assert.equal(untrusted.code, USER_ERROR_CODE);
    assert.match(untrusted.message, /^Policy Insights does not scan accounts in Restricted Mode/);
    assert.equal(logged.length, before);
});

test('a file-system failure naming its path is a user error too, as in the CLI', async () => {
    const err = await refusal(client.sendRequest(ScanAccountRequest.type, { name: 'a' }));
    assert.equal(err.code, USER_ERROR_CODE);
    assert.equal(err.message, 'write /h/catalog.json failed: the disk is full (ENOSPC). Fix that (free space, permissions, the path) and try again.');
});

test('a bug, thrown or rejected, is an InternalError without its stack; the stack is logged as an error', async () => {
    for (const [method, send, message] of [
        [ListGroupsRequest.method, () => client.sendRequest(ListGroupsRequest.type), /Cannot read properties of undefined/],
        [RemoveGroupRequest.method, () => client.sendRequest(RemoveGroupRequest.type, { name: 'g' }), /a broken invariant/],
    ] as const) {
        const err = await refusal(send());
        assert.equal(err.code, ErrorCodes.InternalError, err.message);
        assert.ok(err.message.startsWith(`${method} failed with an internal error: `), err.message);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /\n\s+at /);
        // the log notification was written before the answer, on the same stream
        const log = logged.find((l) => l.message.startsWith(`${method} failed with an internal error`));
        assert.ok(log, `nothing logged for ${method}: ${JSON.stringify(logged)}`);
        assert.equal(log.type, MessageType.Error);
        assert.match(log.message, /\n\s+at /, 'the stack is in the log');
    }
});

test('a language feature goes through the same door', async () => {
    const err = await refusal(client.sendRequest(HoverRequest.method, { textDocument: { uri: 'file:///p/index.ts' }, position: { line: 0, character: 0 } }));
    assert.equal(err.code, ErrorCodes.InternalError);
    assert.equal(err.message, 'textDocument/hover failed with an internal error: a hover past the end of the document. Its stack is in the Policy Insights output.');
    assert.ok(logged.some((l) => l.message.startsWith('textDocument/hover failed with an internal error: RangeError') && /\n\s+at /.test(l.message)));
});

test('params are still checked first: InvalidParams names the field and the handler never runs', async () => {
    const before = logged.length;
    const err = await refusal(client.sendRequest(RemoveGroupRequest.method, { name: 5 }));
    assert.equal(err.code, ErrorCodes.InvalidParams);
    assert.match(err.message, /^policyInsights\/removeGroup: params\.name must be string\. Nothing was changed\.$/);
    // its handler would have failed and logged: nothing was
    assert.equal((await client.sendRequest(GetServerStatusRequest.type)).state, 'ready');
    assert.equal(logged.length, before, JSON.stringify(logged.slice(before)));
});
