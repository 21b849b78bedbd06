import type { CancellationToken } from 'vscode';
import type { ScanSchedule } from '../../server/src/shared/model';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
    AddAwsAccountRequest,
    AnalyzeStateFileRequest,
    type AnalyzeStateFileParams,
    ValidatePackConfigRequest,
    type ValidatePackConfigParams,
    AddKubernetesAccountRequest,
    AddStackAccountRequest,
    GetResourceRequest,
    ListAwsProfilesRequest,
    ListKubeContextsRequest,
    ListResourcesRequest,
    type ListResourcesParams,
    ListResourceTypesRequest,
    RemoveAccountRequest,
    ResourceDiagnosticsRequest,
    RunPolicyRequest,
    type RunPolicyParams,
    ScanAccountRequest,
    SetScanScheduleRequest,
    type AddAwsAccountParams,
    type AddKubernetesAccountParams,
    CreateGroupRequest,
    DisablePackRequest,
    EditGroupRequest,
    EnablePackRequest,
    EvaluateNowRequest,
    InstallDependenciesRequest,
    RemoveGroupRequest,
    type CreateGroupParams,
    type EditGroupParams,
    type EnablePackParams,
    ListTemplatesRequest,
    PublishPackRequest,
    RemovePackVersionRequest,
    ScaffoldPackRequest,
    type ScaffoldPackParams,
    ListAccountsRequest,
    ListGroupsRequest,
    ListPacksRequest,
    ListViolationsRequest,
    ViolationGroupsRequest,
    type ViolationGroupsParams,
    type ListViolationsParams,
} from '../../server/src/shared/protocol';

/**
 * Typed access to the server's custom requests. Views and commands take this narrow
 * interface, not the LanguageClient, so what they ask of the server is visible in one place.
 */
export class ServerApi {
    constructor(private readonly client: LanguageClient) {}

    listPacks() {
        return this.client.sendRequest(ListPacksRequest.type);
    }
    listGroups() {
        return this.client.sendRequest(ListGroupsRequest.type);
    }
    listAccounts() {
        return this.client.sendRequest(ListAccountsRequest.type);
    }
    listViolations(params: ListViolationsParams = {}) {
        return this.client.sendRequest(ListViolationsRequest.type, params);
    }
    violationGroups(params: ViolationGroupsParams) {
        return this.client.sendRequest(ViolationGroupsRequest.type, params);
    }
    listTemplates() {
        return this.client.sendRequest(ListTemplatesRequest.type);
    }
    scaffoldPack(params: ScaffoldPackParams) {
        return this.client.sendRequest(ScaffoldPackRequest.type, params);
    }
    installDependencies(dir: string, token?: CancellationToken) {
        return this.client.sendRequest(InstallDependenciesRequest.type, { dir }, token);
    }
    publishPack(packDir: string) {
        return this.client.sendRequest(PublishPackRequest.type, { packDir });
    }
    removePackVersion(pack: string, versionTag: string) {
        return this.client.sendRequest(RemovePackVersionRequest.type, { pack, versionTag });
    }
    createGroup(params: CreateGroupParams) {
        return this.client.sendRequest(CreateGroupRequest.type, params);
    }
    editGroup(params: EditGroupParams) {
        return this.client.sendRequest(EditGroupRequest.type, params);
    }
    removeGroup(name: string) {
        return this.client.sendRequest(RemoveGroupRequest.type, { name });
    }
    enablePack(params: EnablePackParams) {
        return this.client.sendRequest(EnablePackRequest.type, params);
    }
    disablePack(params: { group: string; pack: string }) {
        return this.client.sendRequest(DisablePackRequest.type, params);
    }
    evaluateNow(accounts?: string[]) {
        return this.client.sendRequest(EvaluateNowRequest.type, { accounts });
    }
    listAwsProfiles() {
        return this.client.sendRequest(ListAwsProfilesRequest.type);
    }
    addAwsAccount(params: AddAwsAccountParams) {
        return this.client.sendRequest(AddAwsAccountRequest.type, params);
    }
    listKubeContexts(kubeconfig?: string) {
        return this.client.sendRequest(ListKubeContextsRequest.type, { kubeconfig });
    }
    addKubernetesAccount(params: AddKubernetesAccountParams) {
        return this.client.sendRequest(AddKubernetesAccountRequest.type, params);
    }
    addStackAccount(params: { name: string; stateFile: string }) {
        return this.client.sendRequest(AddStackAccountRequest.type, params);
    }
    removeAccount(name: string) {
        return this.client.sendRequest(RemoveAccountRequest.type, { name });
    }
    setScanSchedule(name: string, schedule: ScanSchedule) {
        return this.client.sendRequest(SetScanScheduleRequest.type, { name, schedule });
    }
    scanAccount(name: string, token?: CancellationToken) {
        return this.client.sendRequest(ScanAccountRequest.type, { name }, token);
    }
    listResourceTypes(account: string) {
        return this.client.sendRequest(ListResourceTypesRequest.type, { account });
    }
    listResources(params: ListResourcesParams) {
        return this.client.sendRequest(ListResourcesRequest.type, params);
    }
    getResource(account: string, urn: string) {
        return this.client.sendRequest(GetResourceRequest.type, { account, urn });
    }
    /** Diagnostics of the violations on a resource document, as VS Code diagnostics. */
    async resourceDiagnostics(account: string, urn: string, text: string) {
        const diagnostics = await this.client.sendRequest(ResourceDiagnosticsRequest.type, { account, urn, text });
        return this.client.protocol2CodeConverter.asDiagnostics(diagnostics);
    }
    validatePackConfig(params: ValidatePackConfigParams) {
        return this.client.sendRequest(ValidatePackConfigRequest.type, params);
    }
    analyzeStateFile(params: AnalyzeStateFileParams, token?: CancellationToken) {
        return this.client.sendRequest(AnalyzeStateFileRequest.type, params, token);
    }
    runPolicy(params: RunPolicyParams) {
        return this.client.sendRequest(RunPolicyRequest.type, params);
    }
}
