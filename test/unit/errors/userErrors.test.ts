/**
 * UserError is the one mark of an error that is the user's to fix: each service's error class
 * extends it and carries the exit code the CLI ends with (1 findings or validation errors to
 * act on, 2 bad usage or input); errors that never reach a user stay plain Errors. runCli
 * and the language server's door (serverContext.ts) read only that.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountInputError, ScanCancelledError, ScanInProgressError } from '../../../server/src/accounts';
import { PassphraseError } from '../../../server/src/accounts/stacks/passphraseSecrets';
import { UsageError } from '../../../server/src/cli/command';
import { AnalyzeInputError } from '../../../server/src/evaluation/analyzeStateFile';
import { EXIT_FINDINGS, EXIT_USAGE } from '../../../server/src/exitCodes';
import { GroupError } from '../../../server/src/groups';
import { ScaffoldError } from '../../../server/src/packs/scaffold';
import { PackLoadError } from '../../../server/src/runner/hostSdk';
import { HostExitError, HostRequestError } from '../../../server/src/runner/hostProcess';
import { RunnerError } from '../../../server/src/runner/runnerTypes';
import { ArtifactError } from '../../../server/src/registry/artifacts';
import { PublishError } from '../../../server/src/registry/publish';
import { RemoveError } from '../../../server/src/registry/remove';
import { StoreError } from '../../../server/src/store';
import { DamagedContentError } from '../../../server/src/store/schema';
import { UserError, userFailure } from '../../../server/src/userErrors';
import { FilterError, TriageError } from '../../../server/src/violations';

describe('every user error is a UserError with its exit code', () => {
    const cases: [Error, number][] = [
        [new UsageError('x'), EXIT_USAGE],
        [new StoreError('EUNWRITABLE', '/home', 'x'), EXIT_USAGE],
        [new AccountInputError('x'), EXIT_USAGE],
        [new ScanInProgressError('prod'), EXIT_USAGE],
        [new ScanCancelledError(), EXIT_USAGE],
        [new GroupError('not-found', 'x'), EXIT_USAGE],
        [new GroupError('invalid-config', 'x'), EXIT_FINDINGS],
        [new FilterError('x'), EXIT_USAGE],
        [new TriageError('invalid', 'x'), EXIT_USAGE],
        [new PublishError('tag-exists', 'x'), EXIT_USAGE],
        [new PublishError('invalid-pack', 'x'), EXIT_FINDINGS],
        [new RemoveError('in-use', 'x'), EXIT_USAGE],
        [new ScaffoldError('unknown-template', 'x'), EXIT_USAGE],
        [new AnalyzeInputError('x'), EXIT_USAGE],
        [new RunnerError('load-failed', 'x'), EXIT_USAGE],
        [new ArtifactError('x', '/artifact'), EXIT_USAGE],
        [new UserError('x'), EXIT_USAGE],
    ];
    for (const [err, exitCode] of cases) {
        it(`${err.constructor.name}${'code' in err ? ` (${String(err.code)})` : ''} exits ${exitCode}`, () => {
            assert.ok(err instanceof UserError);
            assert.deepEqual(userFailure(err), { message: err.message, exitCode });
        });
    }
});

describe('errors that never reach a user are not user errors: a bug if one ever does', () => {
    const cases: [string, Error][] = [
        // the pack host's failures: runnerPool turns the ones users meet into RunnerError
        ['HostExitError', new HostExitError('x', 1, null, '')],
        ['HostRequestError', new HostRequestError('load-failed', 'x')],
        ['PackLoadError', new PackLoadError('load-failed', 'x')],
        // the store turns a damaged file into a recovery or a StoreError
        ['DamagedContentError', new DamagedContentError('x')],
        // a stack's secrets that cannot be opened become a warning and "[secret]" values (pulumiSecrets.ts)
        ['PassphraseError', new PassphraseError('wrong-passphrase', 'x')],
        ['TypeError', new TypeError('x')],
    ];
    for (const [name, err] of cases) {
        it(name, () => {
            assert.ok(!(err instanceof UserError));
            assert.equal(userFailure(err), undefined);
        });
    }
    it('a thrown non-Error', () => assert.equal(userFailure('a string'), undefined));
});

describe('a Node system error that names its path is the user to fix, exit 2', () => {
    it('ENOSPC on a write says what, where and what to do', () => {
        const err = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', syscall: 'write', path: '/home/u/.policy-insights/catalog.json' });
        assert.deepEqual(userFailure(err), {
            message: 'write /home/u/.policy-insights/catalog.json failed: the disk is full (ENOSPC). Fix that (free space, permissions, the path) and try again.',
            exitCode: EXIT_USAGE,
        });
    });
    it('an unknown code is named as it is', () => {
        assert.match(userFailure(Object.assign(new Error('x'), { code: 'EMLINK', path: '/p' }))!.message, /^access \/p failed: EMLINK \(EMLINK\)/);
    });
    it('one without a path is not: nothing tells the user where', () => {
        assert.equal(userFailure(Object.assign(new Error('x'), { code: 'ENOSPC' })), undefined);
        assert.equal(userFailure(Object.assign(new TypeError('x'), { code: 'ERR_INVALID_ARG_VALUE', path: '/p' })), undefined);
    });
});
