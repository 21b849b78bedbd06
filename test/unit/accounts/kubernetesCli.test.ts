/**
 * A Kubernetes cluster through the command line, as a user meets it: `account add --provider
 * kubernetes`, `account scan` (which evaluates), `violations`, against the local API server, with
 * the official kubernetes-typescript template's policy published and enabled. A kind denied on a
 * later scan keeps its violations open; no output ever shows a Secret's data or a token.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../server/src/cli/runCli';
import { hostScript } from '../runner/runnerTestEnv';
import { ADMIN_TOKEN, clusterFixture, FIXTURE_SECRET_VALUES, KUBERNETES_TEMPLATE_PACK, startCluster, TEAM_TOKEN, type ClusterWorld } from './kubernetesTestSupport';

interface Run {
    code: number;
    out: string;
    err: string;
}

interface ViolationRow {
    policyName: string;
    resourceURN: string;
    status: string;
    entityId: string;
}

describe('policy-insights account with --provider kubernetes', () => {
    let world: ClusterWorld;
    let home: string;
    const printed: string[] = [];
    const cli = async (...args: string[]): Promise<Run> => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli([...args, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
        printed.push(...out, ...err);
        return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const openViolations = async (): Promise<ViolationRow[]> => {
        const run = await cli('violations', '--json');
        assert.equal(run.code, 0, run.err);
        return (JSON.parse(run.out) as { violations: ViolationRow[] }).violations;
    };

    before(async () => {
        process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
        world = await startCluster();
        home = join(world.home, 'cli-home');
    });
    after(() => world.cleanup());

    it('adds a cluster from a kubeconfig context', async () => {
        const run = await cli('account', 'add', 'kind', '--provider', 'kubernetes', '--kubeconfig', world.kubeconfig, '--context', 'kubernetes-admin');
        assert.equal(run.code, 0, run.err);
        assert.equal(run.out.split('\n')[0], `Added Kubernetes cluster kind (context kubernetes-admin of ${world.kubeconfig}, ${world.k8s.url}) with kind/default, kind/kube-system, kind/team-a, kind/team-b, kind/web.`);
        const team = await cli('account', 'add', 'team', '--provider', 'kubernetes', '--kubeconfig', world.kubeconfig, '--context', 'team-scanner', '--namespaces', 'team-a, team-b');
        assert.equal(team.code, 0, team.err);
        const ls = await cli('account', 'ls');
        assert.match(ls.out, /^kind\s+kubernetes\s+default,kube-system,team-a,team-b,web\s+0\s+never$/m);
        assert.match(ls.out, /^team\s+kubernetes\s+team-a,team-b\s+0\s+never$/m);
    });

    it('refuses flags of other providers and bad input, exit 2', async () => {
        const regions = await cli('account', 'add', 'x', '--provider', 'kubernetes', '--kubeconfig', world.kubeconfig, '--regions', 'us-east-1');
        assert.equal(regions.code, 2);
        assert.match(regions.err, /--regions is not for --provider kubernetes/);
        const kubeconfigForAws = await cli('account', 'add', 'x', '--provider', 'aws', '--kubeconfig', world.kubeconfig);
        assert.equal(kubeconfigForAws.code, 2);
        assert.match(kubeconfigForAws.err, /--kubeconfig is for --provider kubernetes/);
        const context = await cli('account', 'add', 'x', '--provider', 'kubernetes', '--kubeconfig', world.kubeconfig, '--context', 'prod');
        assert.equal(context.code, 2);
        assert.match(context.err, /has no context "prod" \(its contexts: kubernetes-admin, team-scanner\)/);
        const provider = await cli('account', 'add', 'x', '--provider', 'gke');
        assert.equal(provider.code, 2);
        assert.match(provider.err, /unknown provider "gke": use aws, kubernetes or pulumi-stack/);
    });

    it('scans and evaluates: the template policy finds the LoadBalancer services', async () => {
        assert.equal((await cli('policy', 'publish', KUBERNETES_TEMPLATE_PACK)).code, 0);
        assert.equal((await cli('policy', 'enable', 'kubernetes-typescript', 'latest')).code, 0);
        const scan = await cli('account', 'scan', 'kind');
        assert.equal(scan.code, 0, scan.err);
        assert.match(scan.err, /^\[1\/19\] namespaces$/m);
        assert.match(scan.out, /Scan of kind succeeded: 52 added, 0 changed, 0 removed, 0 unchanged; 52 resources stored\./);
        const violations = await openViolations();
        assert.deepEqual(violations.map((v) => [v.policyName, v.entityId, v.resourceURN]).sort(), [
            ['no-public-services', 'kind/team-a', 'urn:pulumi:kind::team-a::kubernetes:core/v1:Service::public-web'],
            ['no-public-services', 'kind/web', 'urn:pulumi:kind::web::kubernetes:core/v1:Service::frontend'],
        ]);
        const resources = await cli('account', 'resources', 'kind/team-a', '--type', 'kubernetes:core/v1:Secret');
        assert.match(resources.out, /^kind\/team-a\s+kubernetes:core\/v1:Secret\s+db-credentials\s+team-a\/db-credentials$/m);
    });

    it('a kind denied on a later scan keeps its violations open; the scan says which kind and why', async () => {
        world.k8s.setFaults([{ resource: 'services', namespace: 'team-a', forbidden: true }, { resource: 'services', forbidden: true }]);
        const scan = await cli('account', 'scan', 'kind');
        assert.equal(scan.code, 0, scan.err);
        assert.match(scan.out, /Scan of kind partial \(1 service failed\)/);
        assert.match(scan.out, /^ {2}services: Forbidden: services is forbidden: User "kubernetes-admin" cannot list resource "services"/m);
        assert.equal((await openViolations()).length, 2);
        const coverage = await cli('account', 'coverage', 'kind');
        assert.match(coverage.out, /^kubernetes:core\/v1:Service\s+denied\s+.*Forbidden: services is forbidden/m);
        assert.match(coverage.out, /^kubernetes:apps\/v1:Deployment\s+scanned/m);
        world.k8s.setFaults([]);
        // listed again, with the Service made cluster-private: now its violation is resolved
        const objects = clusterFixture().objects;
        const service = objects.find((o) => o.kind === 'Service' && (o.metadata as { name: string }).name === 'public-web') as { spec: { type: string } };
        service.spec.type = 'ClusterIP';
        world.k8s.setObjects(objects);
        const fixed = await cli('account', 'scan', 'kind/team-a');
        assert.equal(fixed.code, 0, fixed.err);
        assert.deepEqual((await openViolations()).map((v) => v.resourceURN), ['urn:pulumi:kind::web::kubernetes:core/v1:Service::frontend']);
    });

    it('removes a cluster with its resources', async () => {
        const rm = await cli('account', 'rm', 'team');
        assert.equal(rm.code, 0);
        assert.equal(rm.out, 'Removed Kubernetes cluster team and its stored resources.');
    });

    it('never printed a Secret value or a token', () => {
        const all = printed.join('\n');
        for (const value of [...FIXTURE_SECRET_VALUES, ADMIN_TOKEN, TEAM_TOKEN]) assert.equal(all.includes(value), false, `printed "${value}"`);
    });
});
