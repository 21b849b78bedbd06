import type { LanguageClient } from 'vscode-languageclient/node';
import {
    ExportViolationsRequest,
    PanelQueryRequest,
    SuppressViolationRequest,
    TriageViolationRequest,
    ViolationDetailRequest,
    type ExportViolationsParams,
    type PanelQueryParams,
    type PanelSuppressParams,
    type PanelTriageParams,
} from '../../../server/src/shared/panelProtocol';

/** The server requests the Policy Violations panel makes (panelProtocol.ts), typed in one place. */
export class ViolationPanelApi {
    constructor(private readonly client: LanguageClient) {}

    query(params: PanelQueryParams) {
        return this.client.sendRequest(PanelQueryRequest.type, params);
    }
    detail(id: string) {
        return this.client.sendRequest(ViolationDetailRequest.type, { id });
    }
    triage(params: PanelTriageParams) {
        return this.client.sendRequest(TriageViolationRequest.type, params);
    }
    suppress(params: PanelSuppressParams) {
        return this.client.sendRequest(SuppressViolationRequest.type, params);
    }
    exportViolations(params: ExportViolationsParams) {
        return this.client.sendRequest(ExportViolationsRequest.type, params);
    }
}
