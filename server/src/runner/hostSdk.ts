/**
 * Runs in the pack host. Loads a pack on its own `@pulumi/policy` and captures what
 * `new PolicyPack(...)` hands to the SDK's `serve()`: the SDK still validates the pack and
 * builds its gRPC service exactly as under the engine, but the service's handlers are kept
 * instead of bound to a port. The host then calls those handlers (and the SDK's exported
 * handler factories) in process with requests built from the SDK's own proto classes.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { isBundledPack, type BundledPackModule } from './bundledPack';
import type { SourceLocation } from './runnerTypes';

/**
 * The `@pulumi/policy` versions whose internals this file relies on (server.js's `serve()` and its
 * exported handler factories, policy.js's type guards, the proto classes the SDK resolves). The
 * runner equivalence test (test/unit/runner/runnerEquivalence.test.ts) proves the runner returns
 * what the engine's gRPC path returns on the installed SDK, and fails when that is outside this
 * range; package.json's devDependency is the same range. Widen both only with that test passing.
 */
export const SUPPORTED_POLICY_SDK_RANGE = '~1.21.0';

/** A gRPC unary handler as the SDK implements it. */
export type SdkHandler = (call: { request: unknown }, callback: (err: unknown, response?: unknown) => void) => unknown;

/** The policy objects the pack passed to `new PolicyPack` (fields the host reads). */
export interface SdkPolicy {
    name: string;
    enforcementLevel?: string;
    validateResource?: unknown;
    validateStack?: unknown;
    remediateResource?: ((args: unknown) => unknown) & { __pulumiType?: string };
}

interface SdkServerModule {
    serve: (name: string, version: string, level: string, args: { policies?: SdkPolicy[] }, initialConfig?: unknown) => void;
    makeAnalyzeRpcFun: (name: string, version: string, level: string, policies: SdkPolicy[]) => SdkHandler;
    makeAnalyzeStackRpcFun: (name: string, version: string, level: string, policies: SdkPolicy[]) => SdkHandler;
    makeRemediateRpcFun: (name: string, version: string, level: string, policies: SdkPolicy[]) => SdkHandler;
}

interface SdkPolicyModule {
    isResourcePolicy(p: SdkPolicy): boolean;
    isStackPolicy(p: SdkPolicy): boolean;
    getPulumiType(f: unknown): string | undefined;
}

/** Generated proto message classes (pulumirpc and google.protobuf.Struct), as the SDK resolves them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ProtoClass = any;

export interface SdkProtos {
    AnalyzeRequest: ProtoClass;
    AnalyzeStackRequest: ProtoClass;
    AnalyzerResource: ProtoClass;
    AnalyzerResourceOptions: ProtoClass;
    AnalyzerPropertyDependencies: ProtoClass;
    AnalyzerProviderResource: ProtoClass;
    ConfigureAnalyzerRequest: ProtoClass;
    PolicyConfig: ProtoClass;
    Struct: ProtoClass;
    Empty: ProtoClass;
}

export interface LoadedSdkPack {
    name: string;
    version: string;
    /** Pack-wide enforcement level the SDK applies to policies without one. */
    enforcementLevel: string;
    policies: SdkPolicy[];
    /** The service `serve()` built: getAnalyzerInfo, configure, analyze, analyzeStack, remediate... */
    service: Record<string, SdkHandler>;
    server: SdkServerModule;
    policy: SdkPolicyModule;
    protos: SdkProtos;
}

/** A failure while loading, with the pack's own source position when the stack has one. */
export class PackLoadError extends Error {
    constructor(
        readonly code: 'load-failed' | 'no-policy-pack' | 'missing-dependencies',
        message: string,
        readonly location?: SourceLocation,
    ) {
        super(message);
    }
}

/** First stack frame in the pack's own files (not node_modules), source-mapped when a map exists. */
export function packFrame(stack: string | undefined, packDir: string): SourceLocation | undefined {
    if (!stack) return undefined;
    const prefix = packDir.endsWith(sep) ? packDir : packDir + sep;
    for (const line of stack.split('\n')) {
        const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
        if (!m) continue;
        const file = m[1].replace(/^file:\/\//, '');
        if (!file.startsWith(prefix) || file.includes(`${sep}node_modules${sep}`)) continue;
        return { file, line: Number(m[2]), column: Number(m[3]) };
    }
    return undefined;
}

/** The SDK modules the host drives, and how to load the pack when loading is not a plain require. */
interface SdkModules {
    server: SdkServerModule;
    policy: SdkPolicyModule;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    pb: any;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    analyzerGrpc: any;
    grpc: unknown;
    Struct: ProtoClass;
    run?: () => unknown;
}

/** A working copy: the SDK is the pack's own, resolved from its node_modules. */
function installedSdkModules(packRequire: NodeJS.Require, packDir: string): SdkModules {
    let serverPath: string;
    try {
        serverPath = packRequire.resolve('@pulumi/policy/server');
    } catch {
        throw new PackLoadError('missing-dependencies', `@pulumi/policy is not installed for ${packDir}: run \`npm install\` there.`);
    }
    const sdkRequire = createRequire(serverPath);
    const analyzerPbPath = sdkRequire.resolve('@pulumi/pulumi/proto/analyzer_pb');
    return {
        server: packRequire(serverPath) as SdkServerModule,
        policy: packRequire(join(dirname(serverPath), 'policy.js')) as SdkPolicyModule,
        pb: sdkRequire(analyzerPbPath),
        analyzerGrpc: sdkRequire('@pulumi/pulumi/proto/analyzer_grpc_pb'),
        grpc: sdkRequire('@grpc/grpc-js'),
        Struct: createRequire(analyzerPbPath)('google-protobuf/google/protobuf/struct_pb').Struct,
    };
}

/** A published artifact: the pack's own SDK is bundled inside it and exported by its entry. */
function bundledSdkModules(packRequire: NodeJS.Require, codeFile: string): SdkModules {
    const bundle = packRequire(codeFile) as BundledPackModule;
    const sdk = bundle.sdk as Record<string, unknown>;
    return {
        server: sdk.server as SdkServerModule,
        policy: sdk.policy as SdkPolicyModule,
        pb: sdk.analyzerPb,
        analyzerGrpc: sdk.analyzerGrpcPb,
        grpc: sdk.grpc,
        Struct: (sdk.structPb as { Struct: ProtoClass }).Struct,
        run: () => bundle.run(),
    };
}

/**
 * Loads the pack whose code is in `codeFile`, compiled as if it were `loadAs` (a path in the
 * pack directory, so the pack's own node_modules resolve). The host's cwd is the pack
 * directory: `new PolicyPack` reads package.json from there, as under the engine.
 */
export async function loadSdkPack(codeFile: string, loadAs: string): Promise<LoadedSdkPack> {
    process.setSourceMapsEnabled(true);
    const packDir = process.cwd();
    const packRequire = createRequire(join(packDir, 'package.json'));
    const modules = isBundledPack(packDir) ? bundledSdkModules(packRequire, codeFile) : installedSdkModules(packRequire, packDir);
    const { server, policy, pb, analyzerGrpc } = modules;
    const grpcServer = (modules.grpc as { Server: { prototype: Record<string, unknown> } }).Server.prototype;
    const protos: SdkProtos = {
        AnalyzeRequest: pb.AnalyzeRequest,
        AnalyzeStackRequest: pb.AnalyzeStackRequest,
        AnalyzerResource: pb.AnalyzerResource,
        AnalyzerResourceOptions: pb.AnalyzerResourceOptions,
        AnalyzerPropertyDependencies: pb.AnalyzerPropertyDependencies,
        AnalyzerProviderResource: pb.AnalyzerProviderResource,
        ConfigureAnalyzerRequest: pb.ConfigureAnalyzerRequest,
        PolicyConfig: pb.PolicyConfig,
        Struct: modules.Struct,
        Empty: analyzerGrpc.AnalyzerService.configure.responseType,
    };

    let captured: Omit<LoadedSdkPack, 'server' | 'policy' | 'protos' | 'service'> | undefined;
    let service: Record<string, SdkHandler> | undefined;
    // The SDK builds its service on a grpc.Server: keep the handlers, never listen.
    grpcServer.addService = function (_definition: unknown, implementation: Record<string, SdkHandler>) {
        service = implementation;
    };
    grpcServer.bindAsync = function () {
        /* no port: the host answers over IPC */
    };
    const originalServe = server.serve;
    server.serve = (name, version, level, args, initialConfig) => {
        captured = { name, version, enforcementLevel: level, policies: args.policies ?? [] };
        originalServe(name, version, level, args, initialConfig);
    };

    try {
        if (modules.run) {
            modules.run();
        } else if (codeFile === loadAs) {
            packRequire(loadAs);
        } else {
            const mod = new Module(loadAs, undefined);
            mod.filename = loadAs;
            mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(loadAs));
            (mod as unknown as { _compile(code: string, file: string): void })._compile(readFileSync(codeFile, 'utf8'), loadAs);
        }
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const location = packFrame(err?.stack, packDir);
        if (err?.code === 'MODULE_NOT_FOUND' && /Cannot find module '([^'.][^']*)'/.test(err.message)) {
            throw new PackLoadError('missing-dependencies', `${err.message.split('\n')[0]} (from ${packDir}): run \`npm install\` there.`, location);
        }
        const where = location ? `${location.file}:${location.line}:${location.column}` : packDir;
        throw new PackLoadError('load-failed', `Policy pack threw while loading (${where}): ${err?.stack ?? String(e)}`, location);
    }
    // A pack may create its PolicyPack after a tick (an async main); give it one turn.
    if (!captured) await new Promise((r) => setImmediate(r));
    if (!captured || !service) {
        throw new PackLoadError('no-policy-pack', `The pack in ${packDir} loaded but never called \`new PolicyPack(name, { policies })\`.`);
    }
    return { ...captured, service, server, policy, protos };
}
