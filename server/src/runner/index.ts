/**
 * The runner: runs CrossGuard policy packs out of process, each in a host (a Node child process
 * that loads one pack build for one stack context). What the rest of the server may use: the
 * pool of hosts and its run functions, the records they take and return, and the two contracts
 * the registry shares with the runner (the bundled-pack layout, the esbuild it compiles with).
 * Everything else in this folder is internal; the host's own entry (host.ts) is bundled
 * separately (esbuild.mjs) and imported by nobody.
 */
export { DEFAULT_POLICY_TIMEOUT_MS, RunnerPool, type RunnerPoolOptions } from './runnerPool';
export {
    RunnerError,
    type AnalyzeResult,
    type PackInfo,
    type PackRuntimeContext,
    type PolicyDiagnostic,
    type PolicyPackConfig,
    type PolicyRunError,
    type ProposedRemediation,
    type RemediateResult,
    type ResolvedPolicyConfig,
    type RunnerErrorCode,
    type RunnerResource,
    type RunOptions,
    type SourceLocation,
} from './runnerTypes';
export { rootStackUrn } from './diagnosticAttribution';
export { BUNDLED_PACK_FIELD, BUNDLED_SDK_MODULES } from './bundledPack';
export { loadEsbuild } from './packCompiler';
