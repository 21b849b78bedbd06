// The Policy Violations page and the diagnostics on the Pulumi program, as a user meets them
// after the demo scan (test/harness/demo.mjs, seeded into a temporary home): code-server with
// the extension under development, Chromium driving the workbench and the page's webview.
// The story of issue 6: open the page (palette and the Violations view's title button), use
// every filter, narrow to s3-no-public-read on one account, read a bucket's details and why
// it violates, jump to the line of the Pulumi program that created a violating stack
// resource, see the stack's violations in the Problems panel, suppress one violation until
// the first of next month, and export SARIF that the SARIF 2.1.0 schema accepts.
// Screenshots: test/e2e/screenshots/violations-panel-{light,dark}.png,
// violations-panel-remediation.png, program-quick-fixes.png (Ctrl+. on the remediated
// bucket's line) and program-diagnostics.png; with POLICY_INSIGHTS_UPDATE_SCREENSHOTS=1 the light one is also
// copied to client/media/screenshots/violations-panel.png (the README shows it).
//
//   node --test test/e2e/violationsPanel.e2e.mjs        (after `node esbuild.mjs`)
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import Ajv from 'ajv';
import { errors } from 'playwright-core';
import { REPO, launchChromium, startCodeServer, workbenchUrl } from '../harness/codeServer.mjs';
import { DEMO_AWS_ACCOUNT, DEMO_AWS_ENV, DEMO_STACK_ACCOUNT, demoStackState, describeDemo, ensureDemo, startLocalAws } from '../harness/demo.mjs';
import { notificationTexts, openContainer } from '../harness/workbench.mjs';

const screenshots = join(REPO, 'test', 'e2e', 'screenshots');
const readmeScreenshot = join(REPO, 'client', 'media', 'screenshots', 'violations-panel.png');
const SARIF_SCHEMA = join(REPO, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json');
const TIMEOUT = 60_000;
const POLICY = 's3-no-public-read';
const REGION_ACCOUNT = `${DEMO_AWS_ACCOUNT}/us-west-2`;
/** The filter bar's multi-selects, in its order (webviews/src/violations/columns.ts). */
const DIMENSIONS = ['policyPacks', 'policies', 'projects', 'levels', 'accounts', 'resources', 'types', 'statuses', 'severities'];

const temp = mkdtempSync(join(tmpdir(), 'policy-insights-violations-e2e-'));
const workspace = join(temp, 'demo-workspace');
const home = join(temp, 'home');
const userDataDir = join(temp, 'user-data');
let aws;
let server;
let browser;
let page;
/** Open violations after the demo scan, as the CLI lists them: their number, and the records. */
let demoViolations;
let demoRecords;
/** Open violations of exactly this account (not its regions). */
const demoViolationsOf = (account) => demoRecords.filter((v) => v.entityId === account).length;

before(async () => {
    cpSync(join(REPO, 'test', 'fixtures', 'demo-workspace'), workspace, {
        recursive: true,
        filter: (source) => basename(source) !== 'node_modules',
    });
    aws = await startLocalAws({ port: 0 });
    await ensureDemo({ home, workspace, packsDir: join(temp, 'packs'), awsEndpoint: aws.url });
    demoViolations = (await describeDemo(home)).violations;
    demoRecords = JSON.parse(await cliJson(['violations', '--json', '--limit', '100000'])).violations;
    assert.equal(demoRecords.length, demoViolations);
    server = await startCodeServer({
        folder: workspace,
        userDataDir,
        extensionsDir: join(temp, 'extensions'),
        env: { POLICY_INSIGHTS_HOME: home, ...DEMO_AWS_ENV },
        settings: { 'workbench.colorTheme': 'Default Light Modern' },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(workbenchUrl(server.port, { folder: workspace, extensionDevelopmentPath: REPO }));
    await openContainer(page, 'Policy Insights', TIMEOUT);
});

after(async () => {
    await browser?.close();
    await server?.stop();
    await aws?.stop();
    rmSync(temp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// The workbench

/** Runs a command from the palette (F1) by its title. */
async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: TIMEOUT });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: TIMEOUT });
    await row.click();
}

/** Picks a colour theme the way a user does (Preferences: Color Theme) and waits until the workbench wears it. */
async function colorTheme(label, workbenchClass) {
    await runCommand('Preferences: Color Theme');
    // The picker lists themes by label ("Dark Modern"), the setting's id in the description.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Light Modern' }).first().waitFor({ timeout: TIMEOUT });
    await page.locator('.quick-input-widget input').fill(label);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `Default ${label}` }).first().click();
    await page.locator(`.monaco-workbench.${workbenchClass}`).waitFor({ timeout: TIMEOUT });
}

async function shoot(name) {
    mkdirSync(screenshots, { recursive: true });
    const path = join(screenshots, `${name}.png`);
    await page.mouse.move(1, 450);
    await page.screenshot({ path });
    return path;
}

// ---------------------------------------------------------------------------------------
// The page (a webview: an iframe inside VS Code's webview iframe)

/** The frame that holds the page's root, once the page has applied its first query. */
async function panel() {
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
        for (const frame of page.frames()) {
            if (frame.isDetached()) continue;
            const applied = await frame.locator('main.panel').count().then((n) => n > 0 && frame.evaluate(() => Number(document.body.dataset.queries ?? 0) > 0)).catch(() => false);
            if (applied) return frame;
        }
        if (Date.now() > deadline) throw new Error(`no Policy Violations webview with applied rows within ${TIMEOUT / 1000} s; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
        await page.waitForTimeout(200);
    }
}

const queriesApplied = (frame) => frame.evaluate(() => Number(document.body.dataset.queries ?? 0));

/** Does `action` and waits until the page has applied the query it starts; resolves with the new total. */
async function requery(frame, action) {
    const before = await queriesApplied(frame);
    await action();
    await frame.waitForFunction((n) => Number(document.body.dataset.queries ?? 0) > n && !document.body.hasAttribute('aria-busy'), before, { timeout: TIMEOUT });
    return total(frame);
}

/** The number of matching violations the table caption shows. */
async function total(frame) {
    const text = await frame.locator('.result-info').innerText();
    const match = /^([\d,]+) violations?$/.exec(text.trim());
    assert.ok(match, `the table caption reads "${text}"`);
    return Number(match[1].replace(/,/g, ''));
}

/** Opens a multi-select's popup; resolves with its values and their counts. */
async function openFacet(frame, dimension) {
    const popup = frame.locator(`#facet-${dimension}`);
    if (await popup.isHidden()) await frame.locator(`button.facet-button[data-dimension="${dimension}"]`).click();
    await popup.waitFor({ timeout: TIMEOUT });
    return popup.locator('.facet-option').evaluateAll((options) =>
        options.map((o) => ({ value: o.querySelector('input').dataset.value, count: Number(o.querySelector('.facet-count').textContent.replace(/,/g, '')), checked: o.querySelector('input').checked })),
    );
}

async function closeFacet(frame, dimension) {
    const popup = frame.locator(`#facet-${dimension}`);
    if (await popup.isVisible()) await popup.press('Escape');
    await popup.waitFor({ state: 'hidden', timeout: TIMEOUT });
}

/** Ticks (or unticks) one value of an open multi-select; resolves with the new total. */
function tick(frame, dimension, value, on = true) {
    const box = frame.locator(`#facet-${dimension} input[data-value="${value}"]`);
    return requery(frame, () => (on ? box.check() : box.uncheck()));
}

/** The visible rows' cells, by column id. */
function visibleRows(frame) {
    return frame.locator('.grid-body .violation-row').evaluateAll((rows) =>
        rows.map((row) => Object.fromEntries([...row.querySelectorAll('.grid-cell')].map((cell) => [/col-(\w+)/.exec(cell.className)?.[1], cell.textContent]))),
    );
}

/** Clicks the row of `resourceName` and waits for its details. */
async function openDetail(frame, resourceName) {
    const row = frame.locator('.grid-body .violation-row').filter({ has: frame.locator('.col-resource', { hasText: new RegExp(`^${resourceName}$`) }) }).first();
    await row.click();
    await frame.locator('.detail .detail-title', { hasText: resourceName }).waitFor({ timeout: TIMEOUT });
    // Details arrive after the loading text; the resource section is the last to render.
    await frame.locator('.detail .properties, .detail .detail-section .muted').first().waitFor({ timeout: TIMEOUT });
    return frame.locator('.detail');
}

/** Narrows the page to `policy` on `account` from a clean filter, with the UI a user has. */
async function narrow(frame, policy, account) {
    const clear = frame.locator('.filter-bar button', { hasText: 'Clear filters' });
    if (await clear.isEnabled()) await requery(frame, () => clear.click());
    await openFacet(frame, 'policies');
    await tick(frame, 'policies', policy);
    await closeFacet(frame, 'policies');
    await openFacet(frame, 'accounts');
    const n = await tick(frame, 'accounts', account);
    await closeFacet(frame, 'accounts');
    return n;
}

/** The first day of next month (UTC), YYYY-MM-DD. */
function firstOfNextMonth() {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

/** The demo stack's resources that carry a source position: name -> { line, column }. */
function stackSourcePositions() {
    const state = JSON.parse(readFileSync(demoStackState(workspace), 'utf8'));
    const positions = new Map();
    for (const r of state.deployment.resources) {
        const match = /^project:\/\/\/index\.ts#(\d+),(\d+)$/.exec(r.sourcePosition ?? '');
        if (match) positions.set(r.urn.split('::').pop(), { line: Number(match[1]), column: Number(match[2]) });
    }
    return positions;
}

/** A validator for the official SARIF 2.1.0 schema (draft-04; see test/unit/violations/exportSarif.test.ts). */
function sarifValidator() {
    const schema = JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8'));
    assert.equal(JSON.stringify(schema).includes('exclusiveM'), false, 'draft-04-only keywords would need a draft-04 validator');
    schema.$id = schema.id;
    delete schema.id;
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('date-time', (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)));
    ajv.addFormat('uri', (s) => {
        try {
            return /^[a-z][a-z0-9+.-]*:/i.test(s) && new URL(s).href.length > 0;
        } catch {
            return false;
        }
    });
    ajv.addFormat('uri-reference', (s) => {
        try {
            return new URL(s, 'http://base.invalid/').href.length > 0 && !/\s/.test(s);
        } catch {
            return false;
        }
    });
    return ajv.compile(schema);
}

// ---------------------------------------------------------------------------------------

test('the Violations view title button and the command palette open Policy Violations', async () => {
    // The Violations pane's title actions show on hover.
    const header = page.locator('.part.sidebar .pane-header[aria-label="Violations Section"]');
    await header.waitFor({ timeout: TIMEOUT });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    await header.hover();
    await header.locator('.actions a[aria-label="Show Policy Violations"]').click();
    const tab = page.locator('.tabs-container .tab', { hasText: 'Policy Violations' });
    await tab.waitFor({ timeout: TIMEOUT });
    let frame = await panel();
    assert.equal(await total(frame), demoViolations, 'the page lists every open violation of the demo');

    await runCommand('View: Close All Editors');
    await tab.waitFor({ state: 'detached', timeout: TIMEOUT });
    await runCommand('Policy Insights: Show Policy Violations');
    await tab.waitFor({ timeout: TIMEOUT });
    frame = await panel();
    assert.equal(await total(frame), demoViolations);
    const summary = await frame.locator('.summary .stat-total').innerText();
    assert.match(summary.replace(/\s+/g, ' '), new RegExp(`^${demoViolations} open violations$`));
    // The sidebar closed: the page gets the width (and the screenshots show the page).
    await runCommand('View: Close Primary Side Bar');
});

test('each multi-select narrows the rows to the count it promised, and Clear brings them back', async () => {
    const frame = await panel();
    const all = await total(frame);
    for (const dimension of DIMENSIONS) {
        const options = await openFacet(frame, dimension);
        assert.ok(options.length > 0, `the ${dimension} list is empty`);
        // A value that narrows, when there is one; then a second one, which adds its own count
        // (not a region of the first account, or its parent: those rows overlap).
        const overlaps = (a, b) => b.value.startsWith(`${a.value}/`) || a.value.startsWith(`${b.value}/`);
        const [first, ...rest] = [...options.filter((o) => o.count < all), ...options.filter((o) => o.count === all)];
        const second = rest.find((o) => !overlaps(first, o));
        assert.equal(await tick(frame, dimension, first.value), first.count, `${dimension}: ticking ${first.value} (${first.count})`);
        if (second && second.count > 0) {
            const popup = frame.locator(`#facet-${dimension}`);
            assert.ok(await popup.isVisible(), `${dimension}: the list closed after one tick, so a second value cannot be picked`);
            assert.equal(await tick(frame, dimension, second.value), first.count + second.count, `${dimension}: adding ${second.value} (${second.count})`);
        }
        const button = frame.locator(`button.facet-button[data-dimension="${dimension}"]`);
        assert.match((await button.getAttribute('aria-label')) ?? '', /\d+ selected$/, `${dimension}: the button shows the selection`);
        assert.equal(await requery(frame, () => frame.locator(`#facet-${dimension} .facet-actions button`, { hasText: 'Clear' }).click()), all, `${dimension}: Clear`);
        await closeFacet(frame, dimension);
    }
});

test('the account list counts a parent account with its regions, as ticking it filters', async () => {
    const frame = await panel();
    const options = await openFacet(frame, 'accounts');
    const parent = options.find((o) => o.value === DEMO_AWS_ACCOUNT);
    assert.ok(parent, `${DEMO_AWS_ACCOUNT} is not listed: ${JSON.stringify(options)}`);
    const regions = options.filter((o) => o.value.startsWith(`${DEMO_AWS_ACCOUNT}/`));
    assert.ok(regions.length >= 2, `${DEMO_AWS_ACCOUNT}'s regions are listed: ${JSON.stringify(options)}`);
    const own = demoViolationsOf(DEMO_AWS_ACCOUNT);
    assert.equal(parent.count, own + regions.reduce((sum, o) => sum + o.count, 0), 'the parent counts its own violations and its regions\'');
    assert.equal(await tick(frame, 'accounts', DEMO_AWS_ACCOUNT), parent.count);
    await requery(frame, () => frame.locator('#facet-accounts .facet-actions button', { hasText: 'Clear' }).click());
    await closeFacet(frame, 'accounts');
});

test('the date range and the search box narrow the rows', async () => {
    const frame = await panel();
    const all = await total(frame);
    const since = frame.locator('input.date[aria-label="Violation date from"]');
    const until = frame.locator('input.date[aria-label="Violation date to"]');
    const min = await since.getAttribute('min');
    const max = await since.getAttribute('max');
    assert.match(min ?? '', /^\d{4}-\d{2}-\d{2}$/, 'the date inputs know the first-observed range');
    const dayAfter = new Date(Date.parse(`${max}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const dayBefore = new Date(Date.parse(`${min}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    assert.equal(await requery(frame, () => since.fill(dayAfter)), 0, `nothing first seen from ${dayAfter}`);
    assert.equal(await requery(frame, () => since.fill(min)), all, `everything first seen from ${min}`);
    assert.equal(await requery(frame, () => until.fill(dayBefore)), 0, `nothing between ${min} and ${dayBefore}`);
    assert.equal(await requery(frame, () => until.fill(max)), all, `everything between ${min} and ${max}`);
    await requery(frame, () => frame.locator('.filter-bar button', { hasText: 'Clear filters' }).click());
    assert.equal(await since.inputValue(), '');

    const search = frame.locator('input.search');
    const n = await requery(frame, () => search.fill('site-assets'));
    assert.ok(n > 0 && n < all, `searching "site-assets" matches ${n} of ${all}`);
    const rows = await visibleRows(frame);
    assert.equal(rows.length, n);
    for (const row of rows) assert.ok(`${row.resource} ${row.message}`.includes('site-assets'), `a row that does not mention site-assets: ${JSON.stringify(row)}`);
    assert.equal(await requery(frame, () => search.fill('')), all);
});

test(`narrowed to ${POLICY} on ${REGION_ACCOUNT}: the bucket's details say why it violates (light and dark)`, async () => {
    const frame = await panel();
    const expected = demoViolations; // for the message below
    const n = await narrow(frame, POLICY, REGION_ACCOUNT);
    const rows = await visibleRows(frame);
    assert.ok(n > 0, `no ${POLICY} violation on ${REGION_ACCOUNT} among ${expected}`);
    assert.equal(rows.length, n);
    for (const row of rows) {
        assert.equal(row.policy, POLICY);
        assert.equal(row.account, REGION_ACCOUNT);
    }
    const bucket = rows.map((r) => r.resource).sort()[0];
    const detail = await openDetail(frame, bucket);
    const text = await detail.innerText();
    assert.match(text, /aws:s3\/bucket:Bucket/, 'the resource type');
    assert.match(text, new RegExp(`urn:pulumi:${DEMO_AWS_ACCOUNT}::us-west-2::aws:s3/bucket:Bucket::${bucket}`), 'the URN');
    const message = await detail.locator('.message').innerText();
    assert.match(message, new RegExp(`S3 bucket '${bucket}' has the 'public-read' ACL`), 'why it violates');
    const offending = detail.locator('.property.offending');
    assert.deepEqual(await offending.evaluateAll((els) => els.map((el) => el.dataset.property)), ['acl'], 'the offending property is highlighted');
    assert.equal(await detail.locator('.property').first().getAttribute('data-property'), 'acl', 'the offending property comes first');
    assert.equal((await offending.locator('.property-value').innerText()).trim(), '"public-read"');
    const policySection = await detail.locator('.detail-section', { has: frame.locator('h3', { hasText: 'Policy' }) }).innerText();
    assert.match(policySection, /aws-typescript@0\.0\.1/);
    assert.match(policySection, /Remediation/);

    // Taller for the screenshots, so the details reach the highlighted property.
    await page.setViewportSize({ width: 1440, height: 1080 });
    const light = await shoot('violations-panel-light');
    if (process.env.POLICY_INSIGHTS_UPDATE_SCREENSHOTS === '1') {
        mkdirSync(join(readmeScreenshot, '..'), { recursive: true });
        copyFileSync(light, readmeScreenshot);
    }
    await colorTheme('Dark Modern', 'vs-dark');
    // The webview gets the theme's colours through a message: its body class follows.
    await (await panel()).locator('body.vscode-dark').waitFor({ timeout: TIMEOUT });
    await shoot('violations-panel-dark');
    await page.setViewportSize({ width: 1440, height: 900 });
    await colorTheme('Light Modern', 'vs');
    await (await panel()).locator('body.vscode-light').waitFor({ timeout: TIMEOUT });
});

test('Open in source on a demo-stack violation opens demo-infra/index.ts at the line that created the resource', async () => {
    const frame = await panel();
    await frame.locator('.detail button[aria-label="Close details"]').click();
    await narrow(frame, POLICY, DEMO_STACK_ACCOUNT);
    const rows = await visibleRows(frame);
    assert.equal(rows.length, 1, `one ${POLICY} violation on the demo stack: ${JSON.stringify(rows)}`);
    const name = rows[0].resource;
    const position = stackSourcePositions().get(name);
    assert.ok(position, `${name} has no sourcePosition in the stack state`);
    const detail = await openDetail(frame, name);
    assert.match(await detail.innerText(), /Project\s+demo-infra/);
    assert.match(await detail.innerText(), new RegExp(`project:///index\\.ts:${position.line}`));
    await detail.locator('button[data-action="open-source"]').click();
    await page.locator('.tabs-container .tab.active', { hasText: 'index.ts' }).waitFor({ timeout: TIMEOUT });
    await page.locator('.part.statusbar').getByText(`Ln ${position.line}, Col ${position.column}`, { exact: true }).waitFor({ timeout: TIMEOUT });
    const breadcrumbs = await page.locator('.part.editor .editor-group-container.active .breadcrumbs-control').innerText();
    assert.match(breadcrumbs, /demo-infra[\s\S]*index\.ts/, `the editor shows demo-infra/index.ts: ${breadcrumbs}`);
    const line = page.locator('.part.editor .editor-group-container.active .view-line').filter({ hasText: `new aws.s3.Bucket("${name}"` });
    await line.waitFor({ timeout: TIMEOUT });
    // The page beside the program, half the width: its columns and details must still fit.
    await frame.locator('.detail .detail-title', { hasText: name }).waitFor({ timeout: TIMEOUT });
    const clipped = await frame.locator('.grid').evaluate((grid) => {
        const right = grid.getBoundingClientRect().right;
        return [...grid.querySelectorAll('.grid-header .header-cell')]
            .filter((cell) => getComputedStyle(cell).display !== 'none' && cell.getBoundingClientRect().right > right + 1)
            .map((cell) => cell.textContent);
    });
    assert.deepEqual(clipped, [], 'columns cut off at the table\'s edge');
    await shoot('violations-panel-beside-source');
});

test('a remediation of the demo stack: the details show the change, property by property', async () => {
    // aws-compliance-typescript's s3-no-public-acl is at remediate: it would make site-assets private
    const frame = await panel();
    await narrow(frame, 's3-no-public-acl', DEMO_STACK_ACCOUNT);
    await openFacet(frame, 'levels');
    assert.ok(await tick(frame, 'levels', 'remediate') >= 1, 'the level filter offers remediate and it has rows');
    await closeFacet(frame, 'levels');
    const detail = await openDetail(frame, 'site-assets');
    await detail.locator('.changes').waitFor({ timeout: TIMEOUT });
    assert.equal(await detail.locator('.message').innerText(), 'Would change acl: public-read \u2192 private');
    const rows = await detail.locator('.changes tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.innerText.trim())));
    assert.deepEqual(rows, [['acl', '"public-read"', '\u2192', '"private"']]);
    await shoot('violations-panel-remediation');

    await frame.locator('.detail button[aria-label="Close details"]').click();
    await requery(frame, () => frame.locator('.filter-bar button', { hasText: 'Clear filters' }).click());
    // back to the program beside the page, where the next test expects the focus
    await page.locator('.part.editor .view-line').filter({ hasText: 'new aws.s3.Bucket("site-assets"' }).click();
});

test('Ctrl+. on the site-assets line offers Fix in code and the remediation\u2019s Suppress\u2026 and Show in Policy Violations; Fix in code, picked with the keyboard, writes "private"', async () => {
    // The cursor is on the program line that creates site-assets (the step before clicked it).
    const editor = page.locator('.part.editor .editor-group-container.active');
    const program = editor.locator('.view-line');
    await program.filter({ hasText: 'new aws.s3.Bucket("site-assets"' }).waitFor({ timeout: TIMEOUT });
    // VS Code cancels a Ctrl+. whose providers have not all answered when the file's diagnostics
    // change, and says "No code actions available": the TypeScript server, while it loads the
    // program (@pulumi/aws's types: many seconds on 2 busy cores), is the slow provider and then
    // sends its diagnostics. Press it once TypeScript is done, as a user would after the spinner.
    await page.locator('.part.statusbar').getByText(/Initializing/).waitFor({ state: 'hidden', timeout: TIMEOUT });
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget');
    const rows = menu.locator('.monaco-list-row.action');
    // The menu opens as soon as the first provider answers; ours may come after the TypeScript server's refactorings.
    try {
        await rows.filter({ hasText: 'Fix in code: acl: public-read \u2192 private' }).waitFor({ timeout: TIMEOUT });
    } catch (err) {
        // What the user sees instead: the menu's rows, or the editor's "No code actions available", and where the cursor is.
        const seen = await page.evaluate(() => ({
            menu: [...document.querySelectorAll('.action-widget .monaco-list-row')].map((r) => r.textContent),
            message: document.querySelector('.monaco-editor-overlaymessage')?.textContent,
            focus: document.activeElement?.className,
        }));
        const cursor = await page.locator('.part.statusbar').getByText(/^Ln \d+, Col \d+/).innerText().catch(() => '?');
        await shoot('program-quick-fixes-failed');
        throw new Error(`${err.message}\nseen: ${JSON.stringify(seen)}, cursor ${cursor}`);
    }
    const titles = (await rows.allInnerTexts()).map((t) => t.trim());
    for (const expected of ['Fix in code: acl: public-read \u2192 private', 'Suppress the s3-no-public-acl remediation on this resource\u2026', 'Show the s3-no-public-acl remediation in Policy Violations']) {
        assert.ok(titles.includes(expected), `the quick-fix menu lacks "${expected}": ${titles.join(' | ')}`);
    }
    await page.screenshot({ path: join(screenshots, 'program-quick-fixes.png') });

    // Down to "Fix in code" and Enter, as a user would.
    for (let i = 0; i < titles.length; i++) {
        const focused = (await menu.locator('.monaco-list-row.action.focused').innerText()).trim();
        if (focused.startsWith('Fix in code')) break;
        await page.keyboard.press('ArrowDown');
    }
    assert.match((await menu.locator('.monaco-list-row.action.focused').innerText()).trim(), /^Fix in code/);
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await program.filter({ hasText: 'acl: "public-read"' }).waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(await program.filter({ hasText: 'acl: "private"' }).count(), 2, 'site-assets (fixed) and private-data both read acl: "private"');
    // Undone, so the program stays as the stack's source positions describe it for the next steps.
    await page.keyboard.press('Control+z');
    await program.filter({ hasText: 'acl: "public-read"' }).waitFor({ timeout: TIMEOUT });
});

test("the Problems panel lists the demo stack's violations on demo-infra/index.ts, at their lines", async () => {
    const positions = stackSourcePositions();
    const { violations } = JSON.parse(await cliJson(['violations', '--json', '--account', DEMO_STACK_ACCOUNT, '--limit', '1000']));
    const expected = violations.filter((v) => positions.has(v.resourceName)).map((v) => `${v.policyName} [Ln ${positions.get(v.resourceName).line}, Col ${positions.get(v.resourceName).column}]`).sort();
    assert.ok(expected.length >= 4, `the demo stack has violations on positioned resources: ${expected.join('; ')}`);

    await runCommand('View: Toggle Problems');
    const markers = page.locator('.part.panel .markers-panel');
    await markers.waitFor({ timeout: TIMEOUT });
    const fileRow = markers.locator('.monaco-list-row', { hasText: 'index.ts' }).first();
    await fileRow.waitFor({ timeout: TIMEOUT });
    assert.match(await fileRow.innerText(), new RegExp(`demo-infra\\s+${expected.length}$`), 'the file row counts the stack violations');
    // Every row in view at once: the panel maximized, messages on one line each.
    await runCommand('View: Toggle Maximized Panel');
    await page.waitForFunction((n) => document.querySelectorAll('.markers-panel .monaco-list-row').length >= n + 1, expected.length, { timeout: TIMEOUT });
    const texts = await markers.locator('.monaco-list-row').allInnerTexts();
    const shown = texts
        .filter((t) => t.includes('Policy Insights'))
        .map((t) => {
            const [, code, at] = /Policy Insights\s*\(?\s*([\w-]+)\)?\s*(\[Ln \d+, Col \d+\])/.exec(t) ?? [];
            return `${code} ${at}`;
        })
        .sort();
    assert.deepEqual(shown, expected);
    await runCommand('View: Toggle Maximized Panel');

    // The screenshot: the program alone in the editor area, its squiggles, the hover on the bucket, the Problems panel.
    await page.locator('.part.statusbar').getByText(/Initializing/).waitFor({ state: 'hidden', timeout: TIMEOUT });
    // One editor group: the page goes behind the program's tab (and reloads from its saved state when shown again).
    await runCommand('View: Join All Editor Groups');
    await page.locator('.tabs-container .tab.active', { hasText: 'index.ts' }).waitFor({ timeout: TIMEOUT });
    const site = page.locator('.part.editor .editor-group-container.active .view-line span', { hasText: '"site-assets"' }).first();
    await site.hover();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: POLICY });
    await hover.first().waitFor({ timeout: TIMEOUT });
    // The hover fades in: wait until its animation is over.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || !a.effect?.target?.closest?.('.monaco-hover, .monaco-resizable-hover, .workbench-hover-container')), undefined, { timeout: TIMEOUT });
    await page.screenshot({ path: join(screenshots, 'program-diagnostics.png') });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
});

test(`suppressing one ${POLICY} violation until the first of next month takes it off the open list`, async () => {
    await page.locator('.tabs-container .tab', { hasText: 'Policy Violations' }).click();
    const frame = await panel();
    const before = await narrow(frame, POLICY, REGION_ACCOUNT);
    const bucket = (await visibleRows(frame)).map((r) => r.resource).sort()[0];
    const detail = await openDetail(frame, bucket);
    const until = firstOfNextMonth();
    await detail.locator('#suppress-reason').fill('Public site assets; moving behind CloudFront this month');
    await detail.locator('#suppress-until').fill(until);
    const after = await requery(frame, () => detail.locator('button[data-action="suppress"]').click());
    assert.equal(after, before - 1, 'one fewer open violation');
    assert.ok(!(await visibleRows(frame)).some((r) => r.resource === bucket), `${bucket} is still listed`);
    await detail.locator('.detail-status', { hasText: 'Suppressed.' }).waitFor({ timeout: TIMEOUT });
    const day = new Date(`${until}T00:00:00Z`).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    // The day picked, not its UTC midnight in local time ("Nov 30, 4:00 PM" west of Greenwich).
    assert.equal((await detail.locator('.badges .pill.suppressed').innerText()).trim(), `suppressed until ${day}`);
    // The store agrees: the CLI no longer lists it as open, and keeps the expiry.
    const open = JSON.parse(await cliJson(['violations', '--json', '--limit', '1000'])).violations;
    assert.equal(open.length, demoViolations - 1);
    const all = JSON.parse(await cliJson(['violations', '--json', '--include-suppressed', '--limit', '1000'])).violations;
    const suppressed = all.filter((v) => v.suppression);
    assert.equal(suppressed.length, 1);
    assert.equal(suppressed[0].resourceName, bucket);
    assert.equal(suppressed[0].suppression.until.slice(0, 10), until);
});

test('Export SARIF saves the filtered violations through the save dialog, valid against the SARIF 2.1.0 schema', async () => {
    const frame = await panel();
    const expected = await total(frame);
    assert.ok(expected > 0);
    const target = join(temp, 'exports', 'violations.sarif');
    mkdirSync(join(temp, 'exports'), { recursive: true });
    await frame.locator('button[data-export="sarif"]').click();
    // code-server's save dialog: VS Code's simple file dialog, a quick input taking a path.
    const dialog = page.locator('.quick-input-widget', { hasText: 'Export violations as SARIF' });
    await dialog.waitFor({ timeout: TIMEOUT });
    const input = dialog.locator('input.input').first();
    // The dialog lists the folder first, then puts the suggested name in: type after that.
    await page.waitForFunction(() => document.querySelector('.quick-input-widget input.input')?.value.endsWith('.sarif'), undefined, { timeout: TIMEOUT });
    await input.fill(target);
    // Enter is ignored while the dialog is busy reading the typed folder: press it until the dialog goes.
    const deadline = Date.now() + TIMEOUT;
    while (await dialog.isVisible()) {
        assert.ok(Date.now() < deadline, `the save dialog did not take ${target}`);
        await page.locator('.quick-input-widget .monaco-progress-container.active').waitFor({ state: 'hidden', timeout: TIMEOUT });
        if ((await input.inputValue()) === target) await input.press('Enter');
        // Still there after 2 s (busy again): the loop waits and presses again; any other error fails the test.
        await dialog.waitFor({ state: 'hidden', timeout: 2000 }).catch((err) => {
            if (!(err instanceof errors.TimeoutError)) throw err;
        });
    }
    try {
        await page.locator('.notifications-toasts .notification-list-item-message', { hasText: `Exported ${expected} violation(s) to ${target}` }).waitFor({ timeout: TIMEOUT });
    } catch (err) {
        await shoot('violations-export-failed');
        throw err;
    }
    const log = JSON.parse(readFileSync(target, 'utf8'));
    const validate = sarifValidator();
    assert.ok(validate(log), `the export breaks the SARIF 2.1.0 schema: ${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`);
    const results = log.runs.flatMap((run) => run.results);
    assert.equal(results.length, expected);
    // Rules are named pack/policy: the same policy name can come from two packs.
    for (const result of results) assert.equal(result.ruleId, `aws-typescript/${POLICY}`);
    await frame.locator('#live-status', { hasText: `Exported ${expected} violations to ${target}.` }).waitFor({ timeout: TIMEOUT });
});

test('the workbench shows no error notification about the extension', async () => {
    const errors = (await notificationTexts(page)).filter((text) => /policy|command .* not found|activat|error|failed/i.test(text) && !/^Exported /.test(text));
    assert.deepEqual(errors, []);
});

/** The `policy-insights` CLI's stdout, against the test's home. */
async function cliJson(args) {
    const { execFile } = await import('node:child_process');
    return new Promise((resolveRun, reject) =>
        execFile(process.execPath, [join(REPO, 'out', 'cli', 'cli.js'), ...args], { env: { ...process.env, POLICY_INSIGHTS_HOME: home }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
            err ? reject(new Error(`policy-insights ${args.join(' ')}: ${stderr || err.message}`)) : resolveRun(stdout),
        ),
    );
}
