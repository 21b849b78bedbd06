/**
 * Failures that are the user's to fix, from every service the CLI calls, and the exit
 * code each gets: 1 for findings or validation errors to act on, 2 for bad usage or bad
 * input. runCli prints them as `policy-insights <command>: <message>`; anything else is a
 * bug and is printed with its stack.
 */
import { AccountInputError, ScanCancelledError, ScanInProgressError } from '../accounts';
import { AnalyzeInputError } from '../evaluation/analyzeStateFile';
import { GroupError } from '../groups';
import { ScaffoldError } from '../packs/scaffold';
import { RunnerError } from '../packs/runner/runnerTypes';
import { ArtifactError } from '../registry/artifacts';
import { PublishError } from '../registry/publish';
import { RemoveError } from '../registry/remove';
import { StoreError } from '../store';
import { TriageError } from '../violations';
import { EXIT_FINDINGS, EXIT_USAGE } from './command';

/** The exit code for a user error, or undefined when `err` is not one. */
export function userErrorExitCode(err: unknown): number | undefined {
    if (err instanceof GroupError) return err.code === 'invalid-config' ? EXIT_FINDINGS : EXIT_USAGE;
    if (err instanceof PublishError) return err.code === 'invalid-pack' ? EXIT_FINDINGS : EXIT_USAGE;
    const usage = [
        StoreError,
        AccountInputError,
        ScanInProgressError,
        ScanCancelledError,
        TriageError,
        RemoveError,
        ScaffoldError,
        AnalyzeInputError,
        RunnerError,
        ArtifactError,
    ];
    return usage.some((type) => err instanceof type) ? EXIT_USAGE : undefined;
}
