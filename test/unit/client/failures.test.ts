/**
 * What the extension shows for a failure (client/src/failures.ts): the server's user errors,
 * refused params, cancellations and VS Code's file-system errors as they are; anything else
 * as an internal error pointing at the output, with the details for the output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { describeFailure, INTERNAL_ERROR_TEXT } from '../../../client/src/failures';
import { USER_ERROR_CODE } from '../../../server/src/shared/errors';

test('a user error from the server is shown as it is', () => {
    assert.deepEqual(describeFailure(new ResponseError(USER_ERROR_CODE, 'Policy group "g" already exists.')), { text: 'Policy group "g" already exists.', internal: false });
});

test('refused params and a cancelled request are shown as they are: they name the field, or say what happened', () => {
    assert.equal(describeFailure(new ResponseError(ErrorCodes.InvalidParams, 'policyInsights/x: params.name must be string. Nothing was changed.')).internal, false);
    assert.equal(describeFailure(new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled')).internal, false);
});

test("the server's internal error is shown as one, its answer kept for the output", () => {
    const failure = describeFailure(new ResponseError(ErrorCodes.InternalError, 'policyInsights/scaffoldPack failed with an internal error: boom. Its stack is in the Policy Insights output.'));
    assert.deepEqual(failure, { text: INTERNAL_ERROR_TEXT, internal: true, details: 'policyInsights/scaffoldPack failed with an internal error: boom. Its stack is in the Policy Insights output.' });
    assert.equal(describeFailure(new ResponseError(ErrorCodes.ConnectionInactive, 'Client is not running')).text, INTERNAL_ERROR_TEXT);
});

test("a failure in the extension itself is internal, with its stack for the output; VS Code's file-system errors are not", () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'name')");
    const failure = describeFailure(bug);
    assert.equal(failure.text, INTERNAL_ERROR_TEXT);
    assert.equal(failure.internal && failure.details, bug.stack);
    assert.deepEqual(describeFailure('thrown text'), { text: INTERNAL_ERROR_TEXT, internal: true, details: 'thrown text' });
    // what vscode.FileSystemError.FileNotFound(uri) looks like (its name is set by the extension host)
    const notFound = Object.assign(new Error('file:///w/src/index.ts'), { name: 'EntryNotFound (FileSystemError)', code: 'FileNotFound' });
    assert.deepEqual(describeFailure(notFound), { text: 'file:///w/src/index.ts', internal: false });
});
