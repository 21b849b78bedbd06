// Types of awsGuardResources.mjs, for the TypeScript tests that import it.
import type { RunnerResource } from '../../server/src/runner/runnerTypes';

export function wireSecret(value: unknown): Record<string, unknown>;
export function awsGuardResources(count: number, seed?: number): RunnerResource[];
