/**
 * Kubernetes clusters as accounts, scanned against test/localk8s (the API server's list/get wire
 * format over TLS, bearer tokens, RBAC-like namespace limits, injected faults): what is stored,
 * in which child, typed how; pagination, expired continue tokens, denied kinds, retries; and the
 * Secret data that must never be stored.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addKubernetesAccount, listKubeContexts, listResources, scanAccount, ScanCancelledError } from '../../../server/src/accounts';
import { KUBERNETES_KINDS, pulumiTypeOf } from '../../../server/src/accounts/kubernetes/kubernetesKinds';
import { packProcessEnv } from '../../../server/src/packs/runner/packRuntimeEnv';
import type { Resource } from '../../../server/src/shared/model';
import { clusterFixture, FIXTURE_SECRET_VALUES, KUBERNETES_TEMPLATE_PACK, startCluster, TEAM_TOKEN, type ClusterWorld } from './kubernetesTestSupport';

/** Every file under `dir`, as text. */
function allText(dir: string): string {
    let text = '';
    for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        text += statSync(path).isDirectory() ? allText(path) : readFileSync(path, 'utf8');
    }
    return text;
}

const byName = (resources: Resource[], type: string, name: string) => resources.find((r) => r.type === type && r.name === name);

describe('Kubernetes kinds', () => {
    it('are typed with the tokens @pulumi/kubernetes gives its resource classes', () => {
        // the SDK as installed from npm into the template fixture (test/harness/thirdPartyPacks.mjs)
        const k8s = require(join(KUBERNETES_TEMPLATE_PACK, 'node_modules/@pulumi/kubernetes')) as Record<string, Record<string, Record<string, { __pulumiType?: string }>>>;
        for (const kind of KUBERNETES_KINDS) {
            const module = kind.group === '' ? 'core' : kind.group === 'rbac.authorization.k8s.io' ? 'rbac' : kind.group === 'networking.k8s.io' ? 'networking' : kind.group;
            const cls = k8s[module]?.[kind.version]?.[kind.kind];
            assert.ok(cls, `@pulumi/kubernetes has no ${module}.${kind.version}.${kind.kind}`);
            assert.equal(pulumiTypeOf(kind), cls.__pulumiType);
        }
    });
});

describe('a Kubernetes cluster account', () => {
    let world: ClusterWorld;
    let resources: Resource[];
    before(async () => {
        world = await startCluster();
    });
    after(() => world.cleanup());

    it('lists the contexts of a kubeconfig, the current one first', () => {
        assert.deepEqual(
            listKubeContexts(world.kubeconfig).map((c) => [c.name, c.server, c.current]),
            [
                ['kubernetes-admin', world.k8s.url, true],
                ['team-scanner', world.k8s.url, false],
            ],
        );
    });

    it('is added with the namespaces of the cluster as children, recording the context but no credential', async () => {
        const account = await addKubernetesAccount(world.store, { name: 'kind', kubeconfig: world.kubeconfig });
        assert.equal(account.provider, 'kubernetes');
        assert.deepEqual(account.settings, { kubeconfig: world.kubeconfig, context: 'kubernetes-admin', server: world.k8s.url });
        assert.deepEqual(account.children, ['kind/default', 'kind/kube-system', 'kind/team-a', 'kind/team-b', 'kind/web']);
        assert.equal(allText(join(world.home, 'store')).includes('localk8s-admin-token'), false);
    });

    it('scans every kind into its namespace (cluster-scoped kinds in the parent), as the API returns the objects', async () => {
        const outcome = await scanAccount(world.store, 'kind', { pageSize: 4 });
        assert.deepEqual(outcome.errors, []);
        assert.equal(outcome.record.status, 'succeeded');
        resources = await listResources(world.store, 'kind');
        // every fixture object of a listed kind, nothing else (the PodDisruptionBudget is not a listed kind)
        const listed = new Set(KUBERNETES_KINDS.map((k) => `${k.group ? `${k.group}/` : ''}${k.version}/${k.kind}`));
        const expected = clusterFixture().objects.filter((o) => listed.has(`${String(o.apiVersion)}/${String(o.kind)}`));
        assert.equal(resources.length, expected.length);
        assert.deepEqual(Object.fromEntries(Object.entries(outcome.children).map(([c, d]) => [c, d.added.length])), { kind: 9, 'kind/default': 3, 'kind/kube-system': 3, 'kind/team-a': 26, 'kind/team-b': 6, 'kind/web': 5 });
        const deployment = byName(resources, 'kubernetes:apps/v1:Deployment', 'debug-shell')!;
        assert.equal(deployment.account, 'kind/team-a');
        assert.equal(deployment.id, 'team-a/debug-shell');
        assert.equal(deployment.provider, 'kubernetes');
        assert.equal(deployment.urn, 'urn:pulumi:kind::team-a::kubernetes:apps/v1:Deployment::debug-shell');
        // list items come without apiVersion and kind; the stored object has them, as `kubectl get -o json` shows it
        const source = expected.find((o) => o.kind === 'Deployment' && (o.metadata as { name: string }).name === 'debug-shell')!;
        assert.deepEqual(deployment.properties, source);
        const role = byName(resources, 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole', 'cluster-admin')!;
        assert.equal(role.account, 'kind');
        assert.equal(role.id, 'cluster-admin');
        assert.equal(role.urn, 'urn:pulumi:kind::global::kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::cluster-admin');
        for (const type of ['kubernetes:batch/v1:CronJob', 'kubernetes:networking.k8s.io/v1:Ingress', 'kubernetes:rbac.authorization.k8s.io/v1:Role', 'kubernetes:core/v1:Pod']) {
            assert.ok(resources.some((r) => r.type === type), type);
        }
    });

    it('stores Secrets without their data, their stringData or the last-applied annotation that repeats them', async () => {
        const secret = byName(resources, 'kubernetes:core/v1:Secret', 'db-credentials')!;
        assert.deepEqual(Object.keys(secret.properties).sort(), ['apiVersion', 'kind', 'metadata', 'type']);
        assert.equal((secret.properties.metadata as { annotations?: unknown }).annotations, undefined);
        const stored = allText(join(world.home, 'store'));
        for (const value of FIXTURE_SECRET_VALUES) assert.equal(stored.includes(value), false, `the store holds "${value}"`);
        // a ConfigMap keeps its data: only Secrets are secret
        assert.deepEqual(byName(resources, 'kubernetes:core/v1:ConfigMap', 'feature-flags-01')!.properties.data, { FLAG_1: 'on' });
    });

    it('pages with limit/continue: small pages find what one page finds, in more calls', async () => {
        const before = world.k8s.requests().byPath['/api/v1/configmaps'] ?? 0;
        const outcome = await scanAccount(world.store, 'kind', { pageSize: 5 });
        assert.equal(outcome.record.unchanged, resources.length);
        // 14 ConfigMaps in pages of 5
        assert.equal((world.k8s.requests().byPath['/api/v1/configmaps'] ?? 0) - before, 3);
        const whole = await scanAccount(world.store, 'kind');
        assert.equal(whole.record.unchanged, resources.length);
    });

    it('restarts a list whose continue token expired (410) and misses nothing', async () => {
        world.k8s.setFaults([{ resource: 'configmaps', expireContinue: true, times: 1 }]);
        const before = world.k8s.requests().byPath['/api/v1/configmaps'] ?? 0;
        const outcome = await scanAccount(world.store, 'kind', { pageSize: 5 });
        assert.deepEqual(outcome.errors, []);
        assert.equal(outcome.record.removed, 0);
        // first page, the expired second, then the three pages again
        assert.equal((world.k8s.requests().byPath['/api/v1/configmaps'] ?? 0) - before, 5);
        // a token that keeps expiring fails the kind after a few restarts: its ConfigMaps stay
        world.k8s.setFaults([{ resource: 'configmaps', expireContinue: true }]);
        const expiring = await scanAccount(world.store, 'kind', { pageSize: 5 });
        assert.deepEqual(expiring.errors.map((e) => [e.service, e.code]), [['configmaps', 'Expired']]);
        assert.equal(expiring.record.removed, 0);
        world.k8s.setFaults([]);
    });

    it('retries throttling (429 with Retry-After) and server errors', async () => {
        world.k8s.setFaults([
            { resource: 'pods', status: 429, times: 2 },
            { resource: 'services', status: 503, times: 1 },
        ]);
        const outcome = await scanAccount(world.store, 'kind');
        assert.deepEqual(outcome.errors, []);
        assert.equal(world.k8s.requests().faultsInjected >= 3, true);
        world.k8s.setFaults([]);
    });

    it('records a kind the credentials may not list (403) per namespace, keeps what it had stored and says partial', async () => {
        world.k8s.setFaults([{ resource: 'services', forbidden: true }]);
        const outcome = await scanAccount(world.store, 'kind');
        assert.equal(outcome.record.status, 'partial');
        assert.deepEqual(outcome.errors.map((e) => [e.service, e.region, e.code]), [['services', undefined, 'Forbidden']]);
        assert.match(outcome.errors[0].message, /services is forbidden: User "kubernetes-admin" cannot list resource "services" in API group "" at the cluster scope/);
        assert.equal(outcome.record.removed, 0);
        const services = await listResources(world.store, 'kind', { type: 'kubernetes:core/v1:Service' });
        assert.equal(services.length, 5);
        world.k8s.setFaults([]);
    });

    it('scans one namespace as a child, and refuses a namespace that is not one', async () => {
        const outcome = await scanAccount(world.store, 'kind/team-b');
        assert.deepEqual(Object.keys(outcome.children), ['kind/team-b']);
        assert.equal(outcome.record.unchanged, 6);
        assert.deepEqual(Object.keys(world.k8s.requests().byPath).filter((p) => p.includes('/namespaces/team-b/')).length, 15);
        await assert.rejects(scanAccount(world.store, 'kind/nope'), /account "kind" has no namespace "nope" \(its children: kind\/default, /);
    });

    it('follows the cluster: a new namespace becomes a child, a deleted one stops being one and its objects are removed', async () => {
        const objects = clusterFixture().objects.filter((o) => (o.metadata as { namespace?: string; name: string }).namespace !== 'web' && !(o.kind === 'Namespace' && (o.metadata as { name: string }).name === 'web'));
        objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace: 'payments' }, data: { max: '10' } });
        world.k8s.setObjects(objects);
        try {
            const outcome = await scanAccount(world.store, 'kind');
            assert.deepEqual(outcome.account.children, ['kind/default', 'kind/kube-system', 'kind/payments', 'kind/team-a', 'kind/team-b']);
            assert.equal(outcome.children['kind/web'].removed.length, 5);
            assert.equal(outcome.children['kind/payments'].added.length, 1);
            assert.equal((await listResources(world.store, 'kind')).some((r) => r.account === 'kind/web'), false);
        } finally {
            world.k8s.setObjects(clusterFixture().objects);
        }
        const back = await scanAccount(world.store, 'kind');
        assert.ok(back.account.children.includes('kind/web'));
        assert.equal(back.account.children.includes('kind/payments'), false);
    });

    it('a context limited to some namespaces: refused cluster-wide with a hint, added with --namespaces, cluster-scoped kinds denied', async () => {
        await assert.rejects(
            addKubernetesAccount(world.store, { name: 'team', kubeconfig: world.kubeconfig, context: 'team-scanner' }),
            /context "team-scanner" may not do this on https:\/\/127\.0\.0\.1:\d+: namespaces is forbidden: .*; pass --namespaces a,b to scan only the namespaces it may read/,
        );
        const account = await addKubernetesAccount(world.store, { name: 'team', kubeconfig: world.kubeconfig, context: 'team-scanner', namespaces: ['team-a', 'team-b'] });
        assert.deepEqual(account.children, ['team/team-a', 'team/team-b']);
        const outcome = await scanAccount(world.store, 'team');
        assert.equal(outcome.record.status, 'partial');
        assert.deepEqual(outcome.errors.map((e) => `${e.service} ${e.code}`).sort(), ['clusterrolebindings.rbac.authorization.k8s.io Forbidden', 'clusterroles.rbac.authorization.k8s.io Forbidden', 'namespaces Forbidden', 'persistentvolumes Forbidden']);
        assert.equal(outcome.record.added, 32);
        // the children are what the user gave, not what the cluster has
        assert.deepEqual(outcome.account.children, ['team/team-a', 'team/team-b']);
        await assert.rejects(addKubernetesAccount(world.store, { name: 'team2', kubeconfig: world.kubeconfig, context: 'team-scanner', namespaces: ['web'] }), /pods is forbidden: .* in the namespace "web"/);
    });

    it('refuses a kubeconfig it cannot use with what, where and what to do, never quoting the file', async () => {
        const missing = join(world.home, 'missing');
        await assert.rejects(addKubernetesAccount(world.store, { name: 'x', kubeconfig: missing }), new RegExp(`cannot read the kubeconfig ${missing}: no such file`));
        const broken = join(world.home, 'broken');
        writeFileSync(broken, 'users:\n  - name: a\n    user: {token: "sk-very-secret"\n');
        await assert.rejects(addKubernetesAccount(world.store, { name: 'x', kubeconfig: broken }), (error: Error) => {
            assert.match(error.message, /the kubeconfig .*broken cannot be read at line \d+: /);
            assert.equal(error.message.includes('sk-very-secret'), false);
            return true;
        });
        await assert.rejects(addKubernetesAccount(world.store, { name: 'x', kubeconfig: world.kubeconfig, context: 'prod' }), /has no context "prod" \(its contexts: kubernetes-admin, team-scanner\)/);
        const wrongToken = world.k8s.writeKubeconfig(join(world.home, 'wrong-token'), { contexts: [{ name: 'stale', token: 'expired-token' }] });
        await assert.rejects(addKubernetesAccount(world.store, { name: 'x', kubeconfig: wrongToken }), /rejected the credentials of context "stale" \(401 Unauthorized\); refresh them/);
        await assert.rejects(addKubernetesAccount(world.store, { name: 'x', kubeconfig: world.kubeconfig, namespaces: ['Team_A'] }), /"Team_A" is not a namespace name/);
    });

    it('fails the scan, keeping everything, when the credentials stop working', async () => {
        const revoked = world.k8s.writeKubeconfig(join(world.home, 'revoked'), { contexts: [{ name: 'kubernetes-admin', token: 'revoked' }] });
        const account = await addKubernetesAccount(world.store, { name: 'revoked', kubeconfig: world.kubeconfig, namespaces: ['web'] });
        await scanAccount(world.store, 'revoked');
        await world.store.updateCatalog((c) => {
            c.accounts.find((a) => a.name === account.name)!.settings.kubeconfig = revoked;
        });
        const outcome = await scanAccount(world.store, 'revoked', { maxAttempts: 1 });
        assert.equal(outcome.record.status, 'failed');
        assert.ok(outcome.errors.every((e) => e.code === 'Unauthorized'));
        assert.equal(outcome.record.removed, 0);
    });

    it('stops when cancelled', async () => {
        const controller = new AbortController();
        controller.abort();
        await assert.rejects(scanAccount(world.store, 'kind', { signal: controller.signal }), ScanCancelledError);
    });

    it('works over plain HTTP when the kubeconfig says insecure-skip-tls-verify', async () => {
        const plain = await startCluster({ tls: false });
        try {
            assert.match(plain.k8s.url, /^http:/);
            await addKubernetesAccount(plain.store, { name: 'plain', kubeconfig: plain.kubeconfig, namespaces: ['team-a'] });
            const outcome = await scanAccount(plain.store, 'plain');
            assert.equal(outcome.record.added, 35);
        } finally {
            await plain.cleanup();
        }
    });
});

describe('the kubeconfig and a pack process', () => {
    it('a pack host inherits neither KUBECONFIG nor a token variable', () => {
        const env = packProcessEnv(undefined, { PATH: '/usr/bin', HOME: '/home/u', KUBECONFIG: '/home/u/.kube/prod', KUBE_TOKEN: TEAM_TOKEN });
        assert.deepEqual(Object.keys(env).sort(), ['HOME', 'PATH']);
    });
});
