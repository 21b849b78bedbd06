/**
 * Account discovery: AWS accounts (credentials + regions, children `name/region`),
 * Kubernetes clusters (a kubeconfig context, children `name/namespace`) and Pulumi stacks. The service API the language server and the CLI call; free of `vscode`.
 */
export { AccountInputError, checkAccountName } from './accountNames';
export { addAwsAccount, addStackAccount, listResources, removeAccount, setAllTypes, setScanSchedule, type AddAwsAccountArgs, type AddStackAccountArgs } from './accountRegistry';
export { listAccountSummaries } from './accountSummaries';
export { accountCoverage, type AccountCoverage, type TypeCoverage } from './accountCoverage';
export { addKubernetesAccount, type AddKubernetesAccountArgs } from './kubernetes/kubernetesAccount';
export { defaultKubeconfigPath, listKubeContexts, type KubeContextInfo } from './kubernetes/kubeconfigFile';
export { awsProfiles, profileRegion } from './awsProfiles';
export { DEFAULT_SCAN_CONCURRENCY, DISCOVERERS } from './aws/awsDiscovery';
export { canonicalJson, GLOBAL_REGION, resourceHash, resourceUrn } from './resourceIdentity';
export { countResources, resolveAccount, ScanCancelledError, ScanInProgressError, scanAccount, type ScanOptions, type ScanOutcome } from './scanAccount';
export { ScanCoordinator, type ScanCoordinatorOptions, type ScanFailedEvent, type ScanFinishedEvent, type ScanStartedEvent, type ScanTrigger } from './scanCoordinator';
export type { ChildDelta } from './scanDelta';
export type { StackResource } from './stacks/stackResources';
