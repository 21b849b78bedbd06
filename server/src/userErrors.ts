/**
 * The errors that are the user's to fix (bad input, a refused operation, a pack that does
 * not load), from every service. The CLI prints them without a stack and exits 1 or 2
 * (cli/userErrors.ts); the language server answers them as a ResponseError the client shows
 * as it is (handlers/serverContext.ts). Anything else is a bug.
 */
import { AccountInputError, ScanCancelledError, ScanInProgressError } from './accounts';
import { AnalyzeInputError } from './evaluation/analyzeStateFile';
import { GroupError } from './groups';
import { ScaffoldError } from './packs/scaffold';
import { RunnerError } from './runner';
import { ArtifactError } from './registry/artifacts';
import { PublishError } from './registry/publish';
import { RemoveError } from './registry/remove';
import { StoreError } from './store';
import { FilterError, TriageError } from './violations';

const USER_ERROR_TYPES = [
    StoreError,
    AccountInputError,
    ScanInProgressError,
    ScanCancelledError,
    GroupError,
    FilterError,
    TriageError,
    PublishError,
    RemoveError,
    ScaffoldError,
    AnalyzeInputError,
    RunnerError,
    ArtifactError,
];

export function isUserError(err: unknown): err is Error {
    return USER_ERROR_TYPES.some((type) => err instanceof type);
}
