/** Helpers for the Kubernetes account tests: the local API server with the fixture cluster, a kubeconfig for it, a fresh store. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../../server/src/store';
import { startLocalK8s, type LocalK8s, type LocalK8sFixture } from '../../localk8s/server';
import { REPO, tempDir } from './accountsTestSupport';

export const CLUSTER_FIXTURE = join(REPO, 'test/fixtures/kubernetes/cluster.json');
/** The official kubernetes-typescript template's policy, with @pulumi/kubernetes installed from npm (test/harness/thirdPartyPacks.mjs). */
export const KUBERNETES_TEMPLATE_PACK = join(REPO, 'test/fixtures/packs/third-party/kubernetes-template');
/** The Secret values of the fixture (its data, base64 and in clear in the last-applied annotation): never stored, never printed. */
export const FIXTURE_SECRET_VALUES = ['hunter2-in-clear', 'aHVudGVyMi1pbi1jbGVhcg==', 'YXBw', 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t'];
export const ADMIN_TOKEN = 'localk8s-admin-token';
export const TEAM_TOKEN = 'localk8s-team-token';

export function clusterFixture(): LocalK8sFixture {
    return JSON.parse(readFileSync(CLUSTER_FIXTURE, 'utf8')) as LocalK8sFixture;
}

export interface ClusterWorld {
    k8s: LocalK8s;
    store: Store;
    /** A temp dir (store at `home/store`). */
    home: string;
    /** Contexts `kubernetes-admin` (current) and `team-scanner` (team-a and team-b only). */
    kubeconfig: string;
    cleanup: () => Promise<void>;
}

export async function startCluster(options: { tls?: boolean } = {}): Promise<ClusterWorld> {
    const k8s = await startLocalK8s({ fixture: CLUSTER_FIXTURE, tls: options.tls ?? true });
    const { dir, cleanup } = await tempDir('pi-k8s-');
    const store = await Store.open({ home: join(dir, 'store') });
    const kubeconfig = k8s.writeKubeconfig(join(dir, 'kubeconfig'));
    return {
        k8s,
        store,
        home: dir,
        kubeconfig,
        cleanup: async () => {
            await store.close();
            await k8s.stop();
            await cleanup();
        },
    };
}
