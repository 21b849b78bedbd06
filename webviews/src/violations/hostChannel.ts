/**
 * The webview's side of the typed channel to the extension host: `ready` once the script
 * runs, requests with ids answered by one `reply` each, and host pushes (init, setFilter,
 * storeChanged) handed to a listener.
 */
import type { PanelHostMethod, PanelHostRequests, PanelState, ViolationsPanelToHost, ViolationsPanelToWebview } from '../../../server/src/shared/panelProtocol';

export interface VsCodeApi {
    postMessage(message: ViolationsPanelToHost): void;
    getState(): unknown;
    setState(state: PanelState): void;
}

declare global {
    function acquireVsCodeApi(): VsCodeApi;
}

export type HostPush = Exclude<ViolationsPanelToWebview, { type: 'reply' }>;

export class HostChannel {
    private nextId = 1;
    private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

    constructor(
        readonly api: VsCodeApi,
        onPush: (message: HostPush) => void,
    ) {
        window.addEventListener('message', (event: MessageEvent<ViolationsPanelToWebview>) => {
            const message = event.data;
            if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
            if (message.type === 'reply') {
                const waiting = this.pending.get(message.requestId);
                if (!waiting) return;
                this.pending.delete(message.requestId);
                if (message.error !== undefined) waiting.reject(new Error(message.error));
                else waiting.resolve(message.result);
            } else onPush(message);
        });
    }

    request<M extends PanelHostMethod>(method: M, params: PanelHostRequests[M][0]): Promise<PanelHostRequests[M][1]> {
        const requestId = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
            this.api.postMessage({ type: 'request', requestId, method, params } as ViolationsPanelToHost);
        });
    }

    post(message: ViolationsPanelToHost): void {
        this.api.postMessage(message);
    }
}
