/**
 * Public records of the pack runner: what a loaded pack looks like, what an evaluation
 * returns, and how it fails. Shared by the parent-side pool, the child host and the gRPC
 * baseline, so both paths produce values that compare with `deepStrictEqual`.
 */
import type { EnforcementLevel, PolicyConfigValue, PolicyInfo, ProviderResource, ResourceOptions, Severity } from '../shared/model';
import { UserError } from '../userErrors';

/** Metadata of a loaded pack: the Analyzer protocol's `AnalyzerInfo`, as plain data. */
export interface PackInfo {
    name: string;
    /** The pack's version tag (package.json `version`), as the SDK reports it. */
    version: string;
    displayName?: string;
    description?: string;
    policies: PolicyInfo[];
    /** Config the pack passed to `new PolicyPack(name, args, initialConfig)`, normalized by the SDK. */
    initialConfig?: Record<string, ResolvedPolicyConfig>;
    /** Pack directory the runner loaded. */
    packDir: string;
    /** sha256 of the code the runner executes (compiled output or the JS entry). */
    digest: string;
}

/** One policy's configuration as the engine sends it in `Configure`: a level and its properties. */
export interface ResolvedPolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}

/** Config as a user writes it (`--policy-pack-config`, a group's applied pack): policy name or "all". */
export type PolicyPackConfig = Record<string, PolicyConfigValue>;

/**
 * A violation, with exactly the fields of the Analyzer protocol's `AnalyzeDiagnostic`, attributed
 * as the engine attributes it (pulumi/pulumi `analyze_snapshot.go`):
 * - `urn`: for a resource policy, always the analyzed resource (a URN the policy passed to
 *   reportViolation is ignored); for a stack policy, the URN the policy passed when it is one
 *   of the analyzed resources, else the stack's root URN (the `pulumi:pulumi:Stack` resource
 *   without a parent, else `urn:pulumi:<stack>::<project>::pulumi:pulumi:Stack::<project>-<stack>`
 *   from the first valid URN; empty when there are no resources).
 * - `enforcementLevel`: never `remediate`: a violation at that level is reported `mandatory`.
 */
export interface PolicyDiagnostic {
    policyPackName: string;
    policyPackVersion: string;
    policyName: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    severity?: Severity;
    urn: string;
}

/** A proposed property change from a remediation. Nothing is ever applied. */
export interface ProposedRemediation {
    policyPackName: string;
    policyPackVersion: string;
    policyName: string;
    description: string;
    urn: string;
    /** The full property bag the remediation returned (the engine would replace the inputs with it). */
    properties?: Record<string, unknown>;
    /** Set when the remediation could not run (for example an unknown value during preview). */
    diagnostic?: string;
}


/**
 * A resource as the runner evaluates it (a stored `Resource` fits). `properties` are what the
 * policy sees: for `analyze`/`remediate` the engine sends a state's inputs, for `analyzeStack`
 * its outputs. Secret values travel in the engine's wire form
 * (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": ...}`),
 * which the SDK unwraps for the policy; a checkpoint's `{sig, plaintext}` is read as its JSON
 * value and an undecrypted `{sig, ciphertext}` reaches the policy as `[secret]`. Top-level keys
 * starting with `__` are dropped for analyze and analyzeStack and kept for remediate, as the
 * engine marshals them.
 */
export interface RunnerResource {
    urn: string;
    type: string;
    /** Defaults to the URN's last `::` segment. */
    name?: string;
    properties: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    options?: ResourceOptions;
    provider?: ProviderResource;
}

/**
 * What the engine tells a pack process about the stack it analyzes, through the environment
 * (pulumi/pulumi `constructEnv`: PULUMI_CONFIG, PULUMI_PROJECT, PULUMI_STACK, PULUMI_ORGANIZATION,
 * PULUMI_DRY_RUN and their PULUMI_NODEJS_* twins), so `pulumi.getProject()`, `getStack()`,
 * `new pulumi.Config()` and `isDryRun()` work in a pack. Hosts are kept per context.
 */
export interface PackRuntimeContext {
    organization?: string;
    project?: string;
    stack?: string;
    /** Stack config, `<namespace>:<key>` -> value as a string (secure values decrypted, or `[secret]`). */
    config?: Record<string, string>;
    /** Always false for an analysis of existing state. */
    dryRun?: boolean;
}

/** Why a pack, a policy or a run failed. Closed set so callers can switch on it. */
export type RunnerErrorCode =
    /** The pack's dependencies are not installed: offer "install dependencies". */
    | 'missing-dependencies'
    /** The pack's TypeScript did not compile. */
    | 'build-failed'
    /** The pack threw, exited or printed an SDK error while loading. */
    | 'load-failed'
    /** The pack loaded but never called `new PolicyPack(...)`. */
    | 'no-policy-pack'
    /** The given config does not match the pack's config schemas. */
    | 'invalid-config'
    /** A policy threw for one resource (or for the stack). */
    | 'policy-error'
    /** A policy did not finish within the timeout; it is skipped for the rest of the run. */
    | 'policy-timeout'
    /** The pack process died while evaluating. */
    | 'crashed'
    /** The caller's AbortSignal fired. */
    | 'cancelled';

/** Where in the pack's own source a load-time error was thrown (1-based line and column). */
export interface SourceLocation {
    file: string;
    line: number;
    column: number;
}

/** One error record of an evaluation; evaluation continues past it. */
export interface PolicyRunError {
    code: RunnerErrorCode;
    message: string;
    policyName?: string;
    urn?: string;
    /** Last lines of the pack process's stderr, when the process died or the SDK printed an error. */
    stderrTail?: string;
}

/** Thrown for failures that stop a pack from loading or a run from starting. */
export class RunnerError extends UserError {
    constructor(
        readonly code: RunnerErrorCode,
        message: string,
        readonly details: { location?: SourceLocation; stderrTail?: string; exitCode?: number | null; signal?: string | null; validationErrors?: string[] } = {},
    ) {
        super(message);
        this.name = 'RunnerError';
    }
}

export interface AnalyzeResult {
    diagnostics: PolicyDiagnostic[];
    errors: PolicyRunError[];
}

export interface RemediateResult {
    remediations: ProposedRemediation[];
    errors: PolicyRunError[];
}

export interface RunOptions {
    /** User config (policy name or "all" -> level or {enforcementLevel, ...props}); reconciled like the engine does. */
    config?: PolicyPackConfig;
    /** Per policy call; a policy over it is stopped and reported. Default 10 s. */
    timeoutMs?: number;
    signal?: AbortSignal;
    /** The stack the resources belong to, as the engine passes it to the pack process. Default: none. */
    context?: PackRuntimeContext;
}
