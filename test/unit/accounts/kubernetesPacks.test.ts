/**
 * Real packs against a scanned cluster: the local API server's fixture cluster scanned, then
 * evaluated by the real pack runner with the official kubernetes-typescript template's policy
 * (no-public-services, @pulumi/kubernetes from npm) and with the kubernetes-typescript template
 * this extension ships, scaffolded as `policy new` writes it. Proves the kinds are typed and
 * shaped so `validateResourceOfType(k8s.core.v1.Service, ...)` and friends apply to them.
 */
import assert from 'node:assert/strict';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { addKubernetesAccount, listResources, scanAccount } from '../../../server/src/accounts';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import type { RunnerPool } from '../../../server/src/packs/runner/runnerPool';
import type { RunnerResource } from '../../../server/src/packs/runner/runnerTypes';
import type { Resource } from '../../../server/src/shared/model';
import { makePool } from '../evaluation/evaluationTestSupport';
import { REPO } from './accountsTestSupport';
import { KUBERNETES_TEMPLATE_PACK, startCluster, type ClusterWorld } from './kubernetesTestSupport';

describe('packs on a scanned Kubernetes cluster', () => {
    let world: ClusterWorld;
    let pool: RunnerPool;
    let resources: Resource[];
    let runnable: RunnerResource[];
    const found = (diagnostics: { policyName: string; urn: string }[]) =>
        diagnostics.map((d) => {
            const r = resources.find((x) => x.urn === d.urn)!;
            return `${d.policyName} ${r.type.split(':').pop()} ${r.id}`;
        }).sort();

    before(async () => {
        assert.ok(existsSync(join(KUBERNETES_TEMPLATE_PACK, 'node_modules/@pulumi/kubernetes')), 'the kubernetes-template fixture is not installed: run node test/harness/thirdPartyPacks.mjs');
        world = await startCluster();
        await addKubernetesAccount(world.store, { name: 'kind', kubeconfig: world.kubeconfig });
        const outcome = await scanAccount(world.store, 'kind');
        assert.deepEqual(outcome.errors, []);
        resources = await listResources(world.store, 'kind');
        runnable = resources.map(({ urn, type, name, id, properties }) => ({ urn, type, name, id, properties }));
        pool = await makePool();
    });
    after(async () => {
        await pool?.dispose();
        await world?.cleanup();
    });

    it("the official kubernetes-typescript template's policy finds the LoadBalancer services", async () => {
        const { diagnostics, errors } = await pool.analyze(KUBERNETES_TEMPLATE_PACK, runnable);
        assert.deepEqual(errors, []);
        assert.deepEqual(found(diagnostics), ['no-public-services Service team-a/public-web', 'no-public-services Service web/frontend']);
    });

    it('the shipped kubernetes-typescript template finds public services, privileged containers and unpinned images', async () => {
        const dir = join(world.home, 'kubernetes-policies');
        await scaffoldPack({ template: 'kubernetes-typescript', dir, templatesDir: join(REPO, 'templates') });
        // the SDKs from npm stand in for the pack's own `npm install`
        symlinkSync(join(KUBERNETES_TEMPLATE_PACK, 'node_modules'), join(dir, 'node_modules'), 'dir');
        // type-checked as the user's editor would, against @pulumi/kubernetes's own types (Node's from this repository)
        const config = ts.readConfigFile(join(dir, 'tsconfig.json'), ts.sys.readFile).config as object;
        const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dir);
        const program = ts.createProgram({ rootNames: [join(dir, 'index.ts')], options: { ...options, noEmit: true, typeRoots: [join(REPO, 'node_modules/@types')] } });
        const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        assert.deepEqual(problems, []);
        const { diagnostics, errors } = await pool.analyze(dir, runnable);
        assert.deepEqual(errors, []);
        assert.deepEqual(found(diagnostics), [
            'no-latest-image-tag Deployment team-a/debug-shell',
            'no-latest-image-tag Pod team-b/legacy-cache',
            'no-privileged-containers Deployment team-a/debug-shell',
            'no-privileged-containers Pod kube-system/node-debugger',
            'no-public-services Service team-a/public-web',
            'no-public-services Service web/frontend',
        ]);
    });
});
