/** Violations: the life cycle applied by evaluation, the query service every view and the CLI share, and triage. */
export { violationId, type ViolationKey } from './violationKey';
export { reconcileViolations, mergeFindings, type Finding, type ReconcileOptions, type ReconcileResult } from './violationLifecycle';
export { isSuppressed, isBlocking, dateBound, FilterError } from './violationFilter';
export { ViolationQueryService, queryGroups, queryList, queryPanel, DETAIL_BATCH, type StreamListener } from './violationQuery';
export { loadViolationSnapshot, ViolationSnapshot } from './violationQuerySnapshot';
export { setTriage, suppress, unsuppress, TriageError, type TriageArgs, type SuppressArgs } from './violationTriage';
