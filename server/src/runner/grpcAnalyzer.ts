/**
 * The baseline: a pack run the way the Pulumi engine runs it. `node` starts the pack in its
 * directory, the SDK's `serve()` listens and prints its port, and a gRPC client calls
 * `getAnalyzerInfo`, `configure`, then one `analyze` per resource (64 in flight by
 * default). What the engine then does with the pack's answers (which resource a diagnostic
 * belongs to, the remediate-to-mandatory downgrade) is written here again, line by line after
 * the Go code, independently of the runner's diagnosticAttribution.ts, so the tests compare two
 * implementations. Tests use it to prove the in-process runner returns what the engine gets;
 * bench/evaluate measures against it. Not used by the language server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { diagnosticFromProto, packInfoFromProto, remediationFromProto, type AnalyzeDiagnosticLike, type AnalyzerInfoLike, type RemediationLike } from './analyzerProto';
import { buildAnalyzeRequest, buildAnalyzeStackRequest, buildConfigureRequest, type RequestProtos } from './analyzerRequests';
import { compilePack, type CompileOptions } from './packCompiler';
import { packProcessEnv } from './packRuntimeEnv';
import { resolvePackConfig } from '../groups/packConfigResolution';
import type { AnalyzeResult, PackInfo, PackRuntimeContext, PolicyDiagnostic, PolicyPackConfig, PolicyRunError, RemediateResult, RunnerResource } from './runnerTypes';

// Resolved at run time from the installed packages (the client side of the protocol).
const req = createRequire(__filename);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function clientProtos(): { protos: RequestProtos; grpc: Any; AnalyzerClient: Any; Empty: Any } {
    const grpcPbPath = req.resolve('@pulumi/pulumi/proto/analyzer_grpc_pb');
    const pbRequire = createRequire(grpcPbPath);
    const pb = pbRequire('./analyzer_pb.js');
    return {
        protos: { ...pb, Struct: pbRequire('google-protobuf/google/protobuf/struct_pb.js').Struct },
        grpc: pbRequire('@grpc/grpc-js'),
        AnalyzerClient: pbRequire(grpcPbPath).AnalyzerClient,
        Empty: pbRequire('google-protobuf/google/protobuf/empty_pb.js').Empty,
    };
}

/** Loads compiled code as if it were a file in the pack directory, like a plain `node index.js` there. */
const LOADER = `const M=require('module'),fs=require('fs'),path=require('path');process.setSourceMapsEnabled(true);` +
    `const f=process.argv[1],m=new M(f,null);m.filename=f;m.paths=M._nodeModulePaths(path.dirname(f));m._compile(fs.readFileSync(process.argv[2],'utf8'),f);`;

export interface GrpcAnalyzerOptions extends CompileOptions {
    /** Analyze RPCs in flight. Default 64. */
    inFlight?: number;
    /** The stack the engine would tell the pack process about, through its environment. Default: none. */
    context?: PackRuntimeContext;
}

// ---- The engine's attribution, after pulumi/pulumi pkg/resource/deploy/analyze_snapshot.go ----

/** resource.RootStackType */
const rootStackType = 'pulumi:pulumi:Stack';
/** urn.Prefix, urn.NameDelimiter */
const urnPrefix = 'urn:pulumi:';
const nameDelimiter = '::';

/** urn.URN.IsValid: the prefix and at least three name delimiters. */
function urnIsValid(urn: string): boolean {
    if (!urn.startsWith(urnPrefix)) return false;
    return urn.split(nameDelimiter).length - 1 >= 3;
}

/** urn.getComponent(urn.URNName(), NameDelimiter, index) */
function urnComponent(urn: string, index: number): string {
    return urn.slice(urnPrefix.length).split(nameDelimiter)[index] ?? '';
}

/** resource.DefaultRootStackURN(stack, proj) = urn.New(stack, proj, "", RootStackType, proj+"-"+stack) */
function defaultRootStackURN(stack: string, proj: string): string {
    return urnPrefix + stack + nameDelimiter + proj + nameDelimiter + rootStackType + nameDelimiter + `${proj}-${stack}`;
}

/** snapshotRootStackURN */
function snapshotRootStackURN(resources: RunnerResource[]): string {
    let fallback = '';
    for (const res of resources) {
        if (!urnIsValid(res.urn)) continue;
        if (res.type === rootStackType && (res.parent ?? '') === '') return res.urn;
        if (fallback === '') fallback = defaultRootStackURN(urnComponent(res.urn, 0), urnComponent(res.urn, 1));
    }
    return fallback;
}

/** resolveStackPolicyViolationURN */
function resolveStackPolicyViolationURN(diagURN: string, rootStackURN: string, inStack: (urn: string) => boolean): string {
    if (inStack(diagURN)) return diagURN;
    return rootStackURN;
}

/** analyzeResource: `if d.EnforcementLevel == apitype.Remediate { d.EnforcementLevel = apitype.Mandatory }`, then OnPolicyViolation(r.URN, d). */
function engineResourceViolation(d: PolicyDiagnostic, r: RunnerResource): PolicyDiagnostic {
    if (d.enforcementLevel === 'remediate') d.enforcementLevel = 'mandatory';
    d.urn = r.urn;
    return d;
}

export class GrpcAnalyzer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: Any,
        private readonly lib: ReturnType<typeof clientProtos>,
        readonly info: PackInfo,
        /** Milliseconds from spawn to the pack's metadata over gRPC. */
        readonly coldStartMs: number,
        private readonly inFlight: number,
    ) {}

    /** Starts the pack's gRPC server and reads its metadata. */
    static async start(packDir: string, options: GrpcAnalyzerOptions = {}): Promise<GrpcAnalyzer> {
        const compiled = await compilePack(packDir, options);
        const started = performance.now();
        const args = compiled.codeFile === compiled.loadAs ? ['--enable-source-maps', compiled.loadAs] : ['-e', LOADER, compiled.loadAs, compiled.codeFile];
        const child = spawn(process.execPath, args, { cwd: compiled.packDir, stdio: ['ignore', 'pipe', 'pipe'], env: packProcessEnv(options.context) });
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4096)));
        const port = await new Promise<number>((resolve, reject) => {
            let out = '';
            const onData = (c: Buffer) => {
                out += c.toString();
                const line = out.split('\n').find((l, i, all) => i < all.length - 1 && /^\d+$/.test(l.trim()));
                if (line) {
                    child.stdout!.off('data', onData);
                    child.stdout!.resume();
                    resolve(Number(line.trim()));
                }
            };
            child.stdout!.on('data', onData);
            child.once('exit', (code) => reject(new Error(`policy pack ${packDir} exited with ${code} before printing its port: ${stderr}`)));
        });
        const lib = clientProtos();
        const client = new lib.AnalyzerClient(`127.0.0.1:${port}`, lib.grpc.credentials.createInsecure(), {
            'grpc.max_receive_message_length': 400 * 1024 * 1024,
            'grpc.max_send_message_length': 400 * 1024 * 1024,
        });
        const infoProto = await unary<AnalyzerInfoLike>(client, 'getAnalyzerInfo', new lib.Empty());
        const info: PackInfo = { ...packInfoFromProto(infoProto), packDir: compiled.packDir, digest: compiled.digest };
        return new GrpcAnalyzer(child, client, lib, info, performance.now() - started, options.inFlight ?? 64);
    }

    /** Reconciles user config like the engine and sends `configure`. */
    async configure(config: PolicyPackConfig | undefined): Promise<void> {
        const resolved = resolvePackConfig(this.info, config);
        await unary(this.client, 'configure', buildConfigureRequest(this.lib.protos, resolved));
    }

    /** One `analyze` RPC per resource, `inFlight` at a time; results in resource order. */
    async analyze(resources: RunnerResource[]): Promise<AnalyzeResult> {
        const perResource: { diagnostics: AnalyzeResult['diagnostics']; error?: PolicyRunError }[] = new Array(resources.length);
        let next = 0;
        const worker = async () => {
            while (next < resources.length) {
                const i = next++;
                const resource = resources[i];
                try {
                    const resp = await unary<{ getDiagnosticsList(): AnalyzeDiagnosticLike[] }>(this.client, 'analyze', buildAnalyzeRequest(this.lib.protos, resource));
                    perResource[i] = { diagnostics: resp.getDiagnosticsList().map((d) => engineResourceViolation(diagnosticFromProto(d), resource)) };
                } catch (e) {
                    perResource[i] = { diagnostics: [], error: { code: 'policy-error', urn: resource.urn, message: (e as Error).message } };
                }
            }
        };
        await Promise.all(Array.from({ length: Math.min(this.inFlight, resources.length) }, worker));
        return {
            diagnostics: perResource.flatMap((r) => r.diagnostics),
            errors: perResource.flatMap((r) => (r.error ? [r.error] : [])),
        };
    }

    async analyzeStack(resources: RunnerResource[]): Promise<AnalyzeResult> {
        const resp = await unary<{ getDiagnosticsList(): AnalyzeDiagnosticLike[] }>(this.client, 'analyzeStack', buildAnalyzeStackRequest(this.lib.protos, resources));
        const rootStackURN = snapshotRootStackURN(resources);
        const snapshotURNs = new Set<string>();
        for (const res of resources) snapshotURNs.add(res.urn);
        const diagnostics: PolicyDiagnostic[] = [];
        for (const d of resp.getDiagnosticsList().map((p) => diagnosticFromProto(p))) {
            if (d.enforcementLevel === 'remediate') d.enforcementLevel = 'mandatory';
            d.urn = resolveStackPolicyViolationURN(d.urn, rootStackURN, (u) => snapshotURNs.has(u));
            diagnostics.push(d);
        }
        return { diagnostics, errors: [] };
    }

    async remediate(resources: RunnerResource[]): Promise<RemediateResult> {
        const out: RemediateResult = { remediations: [], errors: [] };
        for (const resource of resources) {
            try {
                const resp = await unary<{ getRemediationsList(): RemediationLike[] }>(this.client, 'remediate', buildAnalyzeRequest(this.lib.protos, resource, 'remediate'));
                out.remediations.push(...resp.getRemediationsList().map((r) => remediationFromProto(r, resource.urn)));
            } catch (e) {
                out.errors.push({ code: 'policy-error', urn: resource.urn, message: (e as Error).message });
            }
        }
        return out;
    }

    async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
            this.child.once('exit', () => resolve());
            this.child.kill('SIGKILL');
        });
    }
}

function unary<T>(client: Any, method: string, request: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        client[method](request, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp)));
    });
}
