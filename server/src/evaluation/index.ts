/** Evaluation: incremental and full runs of the bound packs over stored resources, persisted as violations. */
export { Evaluator, type EvaluatorOptions, type EvaluationReport, type EvaluationTrigger, type ScanDelta } from './evaluator';
export { type PackRunner, type EvaluationProblem, type EvaluationWork, bindingKeyOf } from './entityEvaluation';
export { artifactPackSource, directoryPackSource, type PackSource } from './packSource';
export { ResultCache, inputKeyOf, resourcesFingerprint } from './resultCache';
export { evaluateOnCatalogChanges, type CatalogWatchOptions } from './catalogWatcher';
