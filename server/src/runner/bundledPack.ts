/**
 * The contract between a published artifact (registry/artifacts.ts) and the runner: an
 * artifact is a pack bundled with its own @pulumi/policy, so the host cannot resolve the
 * SDK from node_modules. Its entry module instead exports the SDK modules bundled inside
 * it and a `run()` that loads the pack, and its package.json carries a marker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package.json field that marks a bundled (published) pack. */
export const BUNDLED_PACK_FIELD = 'policyInsightsBundle';

/** The SDK modules a bundled pack exposes, by the name the host asks for, and their module specifiers. */
export const BUNDLED_SDK_MODULES = {
    server: '@pulumi/policy/server',
    policy: '@pulumi/policy/policy',
    analyzerPb: '@pulumi/pulumi/proto/analyzer_pb',
    analyzerGrpcPb: '@pulumi/pulumi/proto/analyzer_grpc_pb',
    structPb: 'google-protobuf/google/protobuf/struct_pb',
    grpc: '@grpc/grpc-js',
} as const;

/** What the entry of a bundled pack exports. */
export interface BundledPackModule {
    sdk: { [K in keyof typeof BUNDLED_SDK_MODULES]: unknown };
    /** Loads the pack's own code (which calls `new PolicyPack(...)`). */
    run(): unknown;
}

/** True when `packDir` holds a bundled pack (its package.json has the marker). */
export function isBundledPack(packDir: string): boolean {
    const pkgPath = join(packDir, 'package.json');
    if (!existsSync(pkgPath)) return false;
    try {
        return (JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown>)[BUNDLED_PACK_FIELD] === 1;
    } catch {
        return false;
    }
}
