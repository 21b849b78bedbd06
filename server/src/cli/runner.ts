import { RunnerPool } from '../packs/runner/runnerPool';

/**
 * A runner pool for one CLI command: packs run out of process and every host is stopped
 * when the command ends, so the CLI exits promptly.
 */
export async function withRunner<T>(use: (runner: RunnerPool) => Promise<T>): Promise<T> {
    const runner = new RunnerPool({ maxRunners: 2 });
    try {
        return await use(runner);
    } finally {
        await runner.dispose();
    }
}
