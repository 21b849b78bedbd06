import { EXIT_FINDINGS, EXIT_USAGE } from '../exitCodes';
import { UserError, type UserErrorExitCode } from '../userErrors';

/** Why a policy group operation was refused. Closed set so the CLI and the extension can map it. */
export type GroupErrorCode =
    /** No group, pack, version, account or stack of that name. */
    | 'not-found'
    /** A group of that name exists already. */
    | 'exists'
    /** The name, entity type, mode or member is not acceptable. */
    | 'invalid'
    /** The default group cannot be removed. */
    | 'default-group'
    /** The pack config does not match the pack version's policies or schemas (see `configErrors`). */
    | 'invalid-config';

/** One problem in a pack config, at a JSON path into the config the user wrote. */
export interface ConfigError {
    /** JSON path into the config, e.g. `$["ec2-max-size"].allowed[0]`. */
    path: string;
    message: string;
}

/** A refused group operation; the message says what and what to do next. */
export class GroupError extends UserError {
    override readonly name = 'GroupError';
    constructor(
        readonly code: GroupErrorCode,
        message: string,
        readonly configErrors: ConfigError[] = [],
    ) {
        super(message);
    }

    /** A config that does not match the pack's schema is a validation error to act on (exit 1); any other refusal is bad input (2). */
    override get exitCode(): UserErrorExitCode {
        return this.code === 'invalid-config' ? EXIT_FINDINGS : EXIT_USAGE;
    }
}
