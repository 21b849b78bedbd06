/**
 * Evaluation that follows the catalog by itself: whenever the catalog changes (a group
 * edit or a publish, made by this process, another VS Code window or the CLI when the
 * store watches), the accounts whose bindings changed are evaluated again. Changes that
 * arrive while an evaluation runs are coalesced into one evaluation against the catalog
 * seen last, so none is lost and none is evaluated twice.
 */
import type { Catalog, Disposable, Store } from '../store';
import type { EvaluationReport, Evaluator } from './evaluator';

export interface CatalogWatchOptions {
    /** Called with every evaluation's report (it also reaches Evaluator.onEvaluated listeners). */
    onReport?: (report: EvaluationReport) => void;
    /** Called when reading the catalog or evaluating fails; watching goes on. */
    onError?: (error: unknown) => void;
}

/** Starts evaluating after every catalog change; dispose() stops. */
export async function evaluateOnCatalogChanges(store: Store, evaluator: Evaluator, options: CatalogWatchOptions = {}): Promise<Disposable & { idle(): Promise<void> }> {
    let last: Catalog = await store.readCatalog();
    let pending = false;
    let running: Promise<void> = Promise.resolve();
    let disposed = false;

    const drain = async () => {
        while (pending && !disposed) {
            pending = false;
            try {
                const now = await store.readCatalog();
                const before = last;
                last = now;
                const report = await evaluator.evaluateAfterCatalogChange(before, now);
                options.onReport?.(report);
            } catch (error) {
                options.onError?.(error);
            }
        }
    };

    const subscription = store.onDidChange((change) => {
        if (change.kind !== 'catalog' || disposed) return;
        const wasIdle = !pending;
        pending = true;
        if (wasIdle) running = running.then(drain);
    });

    return {
        dispose() {
            disposed = true;
            subscription.dispose();
        },
        /** Resolves once every change seen so far has been evaluated. */
        idle: () => running,
    };
}
