/** Violations: the life cycle applied by evaluation, queries with the console's filters, and triage. */
export { violationId, type ViolationKey } from './violationKey';
export { reconcileViolations, mergeFindings, type Finding, type ReconcileOptions, type ReconcileResult } from './violationLifecycle';
export { violationMatcher, compareViolations, isSuppressed, isBlocking, dateBound, FilterError, type ViolationFilter } from './violationFilter';
export { queryViolations, listViolations, type ViolationQuery } from './violationQueries';
export { setTriage, suppress, unsuppress, TriageError, type TriageArgs, type SuppressArgs } from './violationTriage';
