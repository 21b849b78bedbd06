/**
 * The Policy Violations webview in real Chromium against a fake VS Code host (fakeHost.ts)
 * whose answers come from the server's real query code over a real store: rows render
 * virtualized, filters travel as typed messages, the keyboard drives the table, strings
 * from resources render as text, and the state survives a reload. Screenshots in light,
 * dark and high-contrast themes go to test/e2e/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { PolicyPackVersion, Violation } from '../../../server/src/shared/model';
import type { PanelState } from '../../../server/src/shared/panelProtocol';
import { Store } from '../../../server/src/store';
import { isSuppressed } from '../../../server/src/violations';
import { remediationMessage, remediationOf } from '../../../server/src/violations/remediation';
import { FakePanel, findRepo, launchChromium, PanelFiles } from './fakeHost';
import { syntheticViolations } from '../../support/syntheticViolations';
import { within } from '../../support/waits';

const EVIL = '<img src=x onerror=alert(1)>';
const COUNT = 5000;
const NOW = new Date();

const PACKS: PolicyPackVersion[] = [
    {
        name: 'aws-typescript',
        version: 1,
        versionTag: '0.2.0',
        publishedAt: NOW.toISOString(),
        digest: 'd',
        policies: [
            {
                name: 's3-no-public-read',
                description: `Prohibits public S3 buckets ${EVIL}`,
                enforcementLevel: 'mandatory',
                severity: 'critical',
                policyType: 'resource',
                remediationSteps: 'Set acl to "private".',
                url: 'https://www.pulumi.com/docs/iac/using-pulumi/crossguard/',
            },
        ],
    },
];

describe('Policy Violations webview', () => {
    let home: string;
    let store: Store;
    let browser: Browser;
    let files: PanelFiles;
    let evil: Violation;
    let remediation: Violation;
    const open: FakePanel[] = [];

    async function openPanel(options: Parameters<typeof FakePanel.open>[3] = {}): Promise<FakePanel> {
        const panel = await FakePanel.open(browser, files, store, options);
        open.push(panel);
        await panel.waitForQueries(1);
        return panel;
    }

    before(async () => {
        home = await mkdtemp(join(tmpdir(), 'pi-webview-test-'));
        store = await Store.open({ home });
        const { violations, resources } = syntheticViolations(COUNT, { seed: 21, now: NOW, withResources: true });
        // One bucket whose name, message and property are markup: it must render as text.
        evil = { ...violations[0], id: 'evil0001', resourceName: EVIL, message: `Bucket ${EVIL} has acl public-read`, lastSeenAt: new Date(NOW.getTime() + 1000).toISOString(), status: 'open', suppression: undefined };
        evil.policyPack = 'aws-typescript';
        evil.policyPackTag = '0.2.0';
        evil.policyName = 's3-no-public-read';
        const evilResource = { ...resources[0], urn: evil.resourceURN, name: EVIL, properties: { acl: 'public-read', tags: { Name: EVIL } } };
        violations[0] = evil;
        resources[0] = evilResource;
        // a remediation record on the same bucket, one of its new values markup
        const change = remediationOf({ acl: 'public-read', versioning: { enabled: false } }, { acl: 'private', versioning: { enabled: true }, tags: { Name: EVIL } })!;
        remediation = { ...evil, id: 'rem00001', level: 'remediate', message: remediationMessage(change), remediation: change, lastSeenAt: violations[1].lastSeenAt };
        violations.push(remediation);
        await store.updateCatalog((c) => {
            c.packs.push(...PACKS);
        });
        for (const account of new Set(violations.map((v) => v.entityId))) {
            await store.updateShard(account, (shard) => {
                shard.violations.push(...violations.filter((v) => v.entityId === account));
                shard.resources.push(...resources.filter((r) => r.account === account));
            });
        }
        browser = await launchChromium();
        files = await PanelFiles.start();
    });

    after(async () => {
        for (const panel of open) await panel.close();
        await browser?.close();
        await files?.close();
        await store?.close();
        await rm(home, { recursive: true, force: true });
    });

    it('says ready, gets init, and renders the first rows of thousands without rendering them all', async () => {
        const panel = await openPanel();
        const { page } = panel;
        assert.equal(panel.received[0].type, 'ready', 'the first message is the ready handshake');
        const [query] = panel.requests('query');
        assert.deepEqual(query.filter, {});
        const total = Number(await page.getAttribute('[role=grid]', 'aria-rowcount')) - 1;
        // The default filter: open and in progress, suppressed ones hidden.
        let expected = 0;
        for (const shard of await store.listShards()) expected += (await store.readShard(shard)).violations.filter((v) => ['open', 'in_progress'].includes(v.status) && !isSuppressed(v, new Date())).length;
        assert.equal(total, expected);
        assert.match(await page.textContent('.result-info') ?? '', new RegExp(`${total.toLocaleString('en-US')} violations`));
        const rendered = await page.locator('.grid-body [role=row]').count();
        assert.ok(rendered > 10 && rendered < 120, `${rendered} rows in the DOM for ${total}`);
        assert.equal(await page.locator('.grid-body [role=row]').first().getAttribute('data-id'), evil.id, 'newest first');
        assert.deepEqual(panel.cspViolations, [], 'nothing blocked by the CSP: the nonce script and the stylesheet load');
        assert.deepEqual(panel.pageErrors, []);
        const csp = (await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')) ?? '';
        assert.match(csp, /^default-src 'none'; /);
        assert.match(csp, /script-src 'nonce-[A-Za-z0-9]+'$/);
        assert.doesNotMatch(csp, /unsafe|\*/);
        // A script without the nonce does not run: the browser reports blocking it (the
        // securitypolicyviolation event), after which it never runs; a script that ran would
        // raise no such event and this wait would fail.
        const blocked = await page.evaluate(
            () =>
                new Promise<string>((resolve, reject) => {
                    const timer = setTimeout(() => reject(new Error('no securitypolicyviolation event within 5 s for a script without the nonce')), 5000);
                    document.addEventListener('securitypolicyviolation', (e) => {
                        clearTimeout(timer);
                        resolve(e.effectiveDirective);
                    }, { once: true });
                    const script = document.createElement('script');
                    script.textContent = 'alert("injected")';
                    document.body.append(script);
                }),
        );
        assert.match(blocked, /^script-src/);
        assert.deepEqual(panel.alerts, []);
        assert.ok((panel.cspViolations as string[]).some((v) => v.startsWith('script-src')), `the CSP reported the blocked script: ${panel.cspViolations}`);
        assert.ok(await page.locator('svg.trend polyline').count(), 'the trend chart is drawn');
    });

    it('filters through a facet multi-select with counts and the server returns the rows', async () => {
        const panel = await openPanel();
        const { page } = panel;
        await page.click('button[data-dimension=policyPacks]');
        const option = page.locator('#facet-policyPacks label', { hasText: 'tagging' });
        const shownCount = Number((await option.locator('.facet-count').textContent())!.replace(/,/g, ''));
        const before = panel.received.length;
        await option.locator('input').check();
        const message = await within(panel.waitForMessage((m) => m.type === 'request' && m.method === 'query' && (m.params.filter.policyPacks ?? []).includes('tagging'), before), 10_000, 'a query filtered by the tagging pack');
        assert.ok(message.type === 'request');
        await panel.waitForQueries(2);
        const total = Number(await page.getAttribute('[role=grid]', 'aria-rowcount')) - 1;
        assert.equal(total, shownCount, 'the facet count is the number of rows the filter returns');
        const packs = await page.locator('.grid-body .violation-row .col-policy').allTextContents();
        assert.ok(packs.length > 0 && packs.every((p) => p === 'required-tags'), `only the tagging pack's policy: ${packs.slice(0, 3)}`);
        assert.deepEqual((await panel.savedState())?.filter.policyPacks, ['tagging'], 'the filter is kept with setState');
        // Search narrows further, debounced into one query.
        await page.keyboard.press('Escape');
        await page.fill('input.search', 'sqs-1');
        await panel.waitForQueries(3);
        const names = await page.locator('.grid-body .violation-row .col-resource').allTextContents();
        assert.ok(names.length > 0 && names.every((n) => n.includes('sqs-1')), names.join(','));
    });

    it('moves through the table with the keyboard and opens the detail pane with Enter', async () => {
        const panel = await openPanel();
        const { page } = panel;
        await page.focus('[role=grid]');
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('ArrowDown');
        const active = await page.getAttribute('[role=grid]', 'aria-activedescendant');
        assert.equal(active, 'item-2');
        const id = await page.getAttribute(`#${active}`, 'data-id');
        await page.keyboard.press('Enter');
        await within(panel.waitForMessage((m) => m.type === 'request' && m.method === 'detail' && m.params.id === id), 10_000, `a detail request for ${id}`);
        await page.waitForSelector('.detail:not([hidden]) .detail-title');
        assert.equal(await page.getAttribute(`#${active}`, 'aria-selected'), 'true');
        // End loads and shows the last row (a page the first query did not send).
        await page.keyboard.press('End');
        await page.waitForFunction(() => {
            const grid = document.querySelector('[role=grid]')!;
            const last = document.getElementById(grid.getAttribute('aria-activedescendant') ?? '');
            return last?.classList.contains('violation-row');
        });
        const lastIndex = Number(await page.getAttribute('[role=grid]', 'aria-rowcount')) - 2;
        assert.equal(await page.getAttribute('[role=grid]', 'aria-activedescendant'), `item-${lastIndex}`);
        assert.ok(panel.requests('query').some((q) => q.offset > 1000 && q.withAggregates === false), 'a page far down was asked for');
        // Sorting from the header's button, reflected in aria-sort.
        await page.click('button[data-column=severity]');
        await panel.waitForQueries(2);
        assert.equal(await page.getAttribute('[role=columnheader]:has(button[data-column=severity])', 'aria-sort'), 'descending');
        assert.equal(await page.locator('.grid-body .violation-row .col-severity').first().textContent(), 'critical');
    });

    it('renders markup from resources and packs as text, in the table and the detail pane', async () => {
        const panel = await openPanel();
        const { page } = panel;
        const firstName = page.locator('.grid-body .violation-row .col-resource').first();
        assert.equal(await firstName.textContent(), EVIL);
        await page.click(`.grid-body [data-id=${evil.id}]`);
        await page.waitForSelector('.detail:not([hidden]) .properties');
        assert.equal(await page.textContent('.detail-title'), EVIL);
        assert.match((await page.textContent('.detail .message')) ?? '', /<img src=x onerror=alert\(1\)>/);
        assert.match((await page.textContent('.detail')) ?? '', /Prohibits public S3 buckets <img/);
        assert.equal(await page.locator('img').count(), 0, 'no element was created from the markup');
        assert.deepEqual(panel.alerts, []);
        // The message names `acl`: that property is highlighted.
        assert.equal(await page.getAttribute('.property[data-property=acl]', 'class'), 'property offending');
        assert.equal(await page.getAttribute('.property[data-property=tags]', 'class'), 'property');
    });

    it('shows a remediation record\'s change, property by property, before \u2192 after, as text; the level filter offers remediate', async () => {
        const panel = await openPanel({ state: { filter: { levels: ['remediate'] }, sort: { column: 'lastSeenAt', direction: 'desc' }, groupBy: 'none', selectedId: remediation.id } });
        const { page } = panel;
        await page.waitForSelector('.detail:not([hidden]) .changes');
        assert.equal(await page.textContent('.detail h3'), 'What the remediation would change');
        assert.equal(await page.textContent('.detail .message'), 'Would change acl: public-read \u2192 private; versioning.enabled: false \u2192 true; tags: (not set) \u2192 {"Name":"<img src=x onerror=alert(1)>"}');
        const rows = await page.$$eval('.changes tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
        assert.deepEqual(rows, [
            ['acl', '"public-read"', '\u2192', '"private"'],
            ['versioning.enabled', 'false', '\u2192', 'true'],
            ['tags', 'not set', '\u2192', `{\n  "Name": "${EVIL}"\n}`],
        ]);
        assert.equal(await page.locator('img').count(), 0, 'the new value\'s markup is text');
        assert.deepEqual(panel.alerts, []);
        assert.equal(await page.getAttribute('.property[data-property=acl]', 'class'), 'property offending', 'the changed property is highlighted in the resource');
        await page.click('button[data-dimension=levels]');
        assert.ok(await page.locator('#facet-levels label', { hasText: 'remediate' }).count(), 'the level filter lists remediate');
        mkdirSync(join(findRepo(), 'test', 'e2e', 'screenshots'), { recursive: true });
        await page.keyboard.press('Escape');
        await page.screenshot({ path: join(findRepo(), 'test', 'e2e', 'screenshots', 'violations-remediation.png') });
    });

    it('triages and suppresses from the detail pane', async () => {
        const panel = await openPanel();
        const { page } = panel;
        await page.click(`.grid-body [data-id=${evil.id}]`);
        await page.waitForSelector('#triage-status');
        await page.selectOption('#triage-status', 'in_progress');
        await page.selectOption('#triage-priority', 'p1');
        await page.fill('#triage-assignee', 'ana@example.com');
        await page.click('[data-action=save-triage]');
        await page.waitForFunction(() => document.querySelector('.detail-status')?.textContent === 'Triage saved.');
        const saved = (await store.readShard(evil.entityId)).violations.find((v) => v.id === evil.id)!;
        assert.deepEqual([saved.status, saved.priority, saved.assignedTo], ['in_progress', 'p1', 'ana@example.com']);
        await page.fill('#suppress-reason', 'accepted until the migration');
        await page.click('[data-action=suppress]');
        await page.waitForSelector('[data-action=unsuppress]');
        assert.equal((await store.readShard(evil.entityId)).violations.find((v) => v.id === evil.id)!.suppression?.reason, 'accepted until the migration');
        await page.click('[data-action=unsuppress]');
        await page.waitForSelector('[data-action=suppress]');
    });

    it('restores filter, sort, grouping and selection from the state after a reload', async () => {
        const state: PanelState = {
            filter: { levels: ['mandatory'], accounts: ['prod'], search: 'bucket' },
            sort: { column: 'resource', direction: 'asc' },
            groupBy: 'account',
            selectedId: evil.id,
            collapsedGroups: ['prod/us-east-1'],
        };
        const panel = await openPanel({ state });
        const { page } = panel;
        const [query] = panel.requests('query');
        assert.deepEqual(query.filter, state.filter, 'the first query uses the restored filter');
        assert.deepEqual(query.sort, state.sort);
        assert.equal(query.groupBy, 'account');
        assert.equal(await page.inputValue('input.search'), 'bucket');
        assert.equal(await page.inputValue('select[aria-label="Group by"]'), 'account');
        assert.equal(await page.getAttribute('button[data-dimension=levels]', 'aria-label'), 'Enforcement: 1 selected');
        assert.equal(await page.getAttribute('[role=columnheader]:has(button[data-column=resource])', 'aria-sort'), 'ascending');
        const groups = await page.locator('.group-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-group'), r.getAttribute('aria-expanded')]));
        assert.deepEqual(groups, [
            ['prod/us-east-1', 'false'],
            ['prod/us-west-2', 'true'],
        ]);
        await page.waitForSelector('.detail:not([hidden]) .detail-title');
        assert.equal(await page.textContent('.detail-title'), EVIL);
        // A command's pre-filter (the Accounts tree) replaces the restored filter.
        const fromTree = await openPanel({ state, initFilter: { accounts: ['dev'] } });
        assert.deepEqual(fromTree.requests('query')[0].filter, { accounts: ['dev'] });
        assert.deepEqual((await fromTree.savedState())?.filter, { accounts: ['dev'] });
    });

    it('exports the current filter through the host', async () => {
        const panel = await openPanel({ state: { filter: { policyPacks: ['aws-typescript'] }, sort: { column: 'lastSeenAt', direction: 'desc' }, groupBy: 'none' } });
        await panel.page.click('button[data-export=sarif]');
        const message = await within(panel.waitForMessage((m) => m.type === 'request' && m.method === 'export'), 10_000, 'an export request');
        assert.ok(message.type === 'request' && message.method === 'export');
        assert.deepEqual(message.params.filter, { policyPacks: ['aws-typescript'] });
        await panel.page.waitForFunction(() => /Exported/.test(document.querySelector('#live-status')?.textContent ?? ''));
        const log = JSON.parse(panel.exported!);
        assert.ok(log.runs[0].results.length > 0 && log.runs[0].results.every((r: { ruleId: string }) => r.ruleId === 'aws-typescript/s3-no-public-read'));
    });

    it('looks like VS Code in light, dark and high-contrast themes (screenshots)', async () => {
        const dir = join(findRepo(), 'test', 'e2e', 'screenshots');
        mkdirSync(dir, { recursive: true });
        for (const theme of ['light', 'dark', 'high-contrast'] as const) {
            const panel = await openPanel({ theme, state: { filter: {}, sort: { column: 'severity', direction: 'desc' }, groupBy: 'none', selectedId: evil.id } });
            await panel.page.waitForSelector('.detail:not([hidden]) .properties');
            await panel.page.click('button[data-dimension=accounts]');
            const background = await panel.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
            assert.equal(background, { light: 'rgb(255, 255, 255)', dark: 'rgb(31, 31, 31)', 'high-contrast': 'rgb(0, 0, 0)' }[theme]);
            await panel.page.screenshot({ path: join(dir, `violations-${theme}.png`) });
        }
    });
});
