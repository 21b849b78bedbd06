/**
 * What the conformance tests share: both paths (RunnerPool and the engine-like GrpcAnalyzer)
 * on one pack copied to a temp dir, the engine's secret wire form, and the conformance packs.
 */
import { join } from 'node:path';
import { GrpcAnalyzer } from '../../../server/src/runner/grpcAnalyzer';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import type { PackRuntimeContext, PolicyPackConfig } from '../../../server/src/runner/runnerTypes';
import { copyPackToTemp, hostScript, repoRoot, tempCacheDir } from './runnerTestEnv';

/** The engine's wire form of a secret (sdk/go/common/resource/sig: SecretSig), as state exports and MarshalProperties carry it. */
export function secret(value: unknown): Record<string, unknown> {
    return { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value };
}

export function conformancePack(name: string): string {
    return join(repoRoot, 'test', 'fixtures', 'packs', 'conformance', name);
}

/** A pack running on both paths, with one context. */
export interface BothPaths {
    dir: string;
    pool: RunnerPool;
    grpc: GrpcAnalyzer;
    close(): Promise<void>;
}

/** `copy: false` runs a pack that has its own node_modules where it is (nothing is written there). */
export async function startBothPaths(packDir: string, context?: PackRuntimeContext, config?: PolicyPackConfig, { copy = true } = {}): Promise<BothPaths> {
    const { dir, cleanup } = copy ? copyPackToTemp(packDir) : { dir: packDir, cleanup: () => undefined };
    const cacheDir = tempCacheDir();
    const pool = new RunnerPool({ hostScript, cacheDir, timeoutMs: 10_000 });
    const grpc = await GrpcAnalyzer.start(dir, { cacheDir, context });
    await grpc.configure(config);
    return {
        dir,
        pool,
        grpc,
        async close() {
            await grpc.close();
            await pool.dispose();
            cleanup();
        },
    };
}
