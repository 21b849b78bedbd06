import { UserError } from '../userErrors';
import { errorMessage } from '../shared/errors';

/** Why the store refused an operation. */
export type StoreErrorCode =
    /** The home folder (or a file in it) cannot be created or written. */
    | 'EUNWRITABLE'
    /** Another process held a file's lock for longer than the lock timeout. */
    | 'ELOCKED'
    /** A file is damaged and could not be recovered. */
    | 'ECORRUPT'
    /** A file was written by a newer Policy Insights, or no migration leads from its version. */
    | 'ESCHEMA';

/** An error from the store; `path` is the file or folder concerned. */
export class StoreError extends UserError {
    override readonly name = 'StoreError';
    constructor(
        readonly code: StoreErrorCode,
        readonly path: string,
        message: string,
        options?: { cause?: unknown },
    ) {
        super(message, options);
    }
}

/** What the user can do when the home folder is not usable. */
export const HOME_HINT =
    'Choose a folder you can write to with --home DIR, the POLICY_INSIGHTS_HOME environment variable, or the policyInsights.home setting.';

/** A store error for a file-system failure at `path`, keeping the system error as the cause. */
export function unwritable(path: string, doing: string, cause: unknown): StoreError {
    const reason = errorMessage(cause);
    return new StoreError('EUNWRITABLE', path, `Policy Insights cannot ${doing} ${path}: ${reason}. ${HOME_HINT}`, { cause });
}

/** Node's system error code (`ENOENT`, `EEXIST`...), if `error` is one. */
export function errno(error: unknown): string | undefined {
    return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
