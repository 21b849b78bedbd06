import { artifactPackSource, Evaluator, type EvaluationReport } from '../evaluation';
import { verifiedArtifactDir } from '../registry/artifacts';
import type { Store } from '../store';
import type { CommandContext } from './command';
import { withRunner } from './runner';
import { errorMessage } from '../shared/errors';

/**
 * Evaluation after a CLI change (a scan, a group edit), as the language server does by
 * itself: a CI script that scans and then lists violations sees current results.
 * Prints one summary line and each problem to stderr.
 */
export function evaluateAfter(ctx: CommandContext, store: Store, run: (evaluator: Evaluator) => Promise<EvaluationReport>): Promise<EvaluationReport> {
    return withEvaluation(ctx, store, [], (evaluate) => evaluate(run));
}

/**
 * Work an evaluation follows (a scan), with the hosts of the packs bound to `accounts` started
 * while it runs: a fresh process pays their cold starts (about a second each) during the work
 * instead of in the evaluation. `work` calls `evaluate` (as evaluateAfter) when it is done.
 */
export async function withEvaluation<T>(
    ctx: CommandContext,
    store: Store,
    accounts: readonly string[],
    work: (evaluate: (run: (evaluator: Evaluator) => Promise<EvaluationReport>) => Promise<EvaluationReport>) => Promise<T>,
): Promise<T> {
    return withRunner(async (runner) => {
        // one shot: each shard and cache file is read once, nothing is worth keeping after its entity
        const evaluator = new Evaluator({ store, runner, packs: artifactPackSource(store, verifiedArtifactDir), keepInMemory: false });
        if (accounts.length) evaluator.prepare(accounts);
        return work(async (run) => {
            const report = await run(evaluator);
            try {
                await evaluator.flush();
            } catch (error) {
                // a cache: the violations are already stored; only the next evaluation's shortcut is lost
                ctx.err(
                    `warning: the evaluation result cache could not be written (${errorMessage(error)}). ` +
                        'The violations were stored; the next evaluation re-runs the policies it could not cache. Free space or fix the folder to keep evaluations incremental.',
                );
            }
            if (report.accounts.length) {
                ctx.err(
                    `Evaluated ${report.accounts.join(', ')}: ${report.stillOpen} open violation(s), ${report.opened} new, ${report.resolved} resolved.`,
                );
            }
            for (const p of report.problems) ctx.err(`warning: ${p.entity}: ${p.pack ?? ''}${p.policy ? `/${p.policy}` : ''}: ${p.message}`);
            if (report.problems.some((p) => p.pack !== undefined)) {
                ctx.packTrouble = true;
                ctx.err('Some policy packs did not run (see the warnings above): exit code 1.');
            }
            return report;
        });
    }, ctx);
}
