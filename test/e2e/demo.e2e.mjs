// The seeded demo as a user sees it: the state `npm start` sets up (test/harness/demo.mjs),
// seeded into a temporary home, plus a second version (0.0.2) of the workspace's pack;
// code-server with the extension under development; Chromium expanding the trees.
// Screenshots go to test/e2e/screenshots/demo-*.png; with POLICY_INSIGHTS_UPDATE_SCREENSHOTS=1
// demo-overview.png is also copied to client/media/screenshots/views.png (the README shows it).
//
//   node --test test/e2e/demo.e2e.mjs        (after `node esbuild.mjs`)
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, launchChromium, startCodeServer, workbenchUrl } from '../harness/codeServer.mjs';
import { DEMO_AWS_ACCOUNT, DEMO_AWS_ENV, DEMO_STACK_ACCOUNT, DEMO_WORKSPACE_PACK, ensureDemo, publishPack, startLocalAws } from '../harness/demo.mjs';
import { notificationTexts, openContainer, waitForViewsIdle } from '../harness/workbench.mjs';

const screenshots = join(REPO, 'test', 'e2e', 'screenshots');
const readmeScreenshot = join(REPO, 'client', 'media', 'screenshots', 'views.png');
const VIEWS = ['Policy Packs', 'Policy Groups', 'Accounts', 'Violations'];
const TIMEOUT = 60_000;

const temp = mkdtempSync(join(tmpdir(), 'policy-insights-demo-e2e-'));
const workspace = join(temp, 'demo-workspace');
const home = join(temp, 'home');
let aws;
let server;
let browser;
let page;

before(async () => {
    // A copy, so publishing 0.0.2 does not edit the repository's pack; links are made afresh.
    cpSync(join(REPO, 'test', 'fixtures', 'demo-workspace'), workspace, {
        recursive: true,
        filter: (source) => basename(source) !== 'node_modules',
    });
    aws = await startLocalAws({ port: 0 });
    await ensureDemo({ home, workspace, packsDir: join(temp, 'packs'), awsEndpoint: aws.url });
    const pack = join(workspace, 'policy-pack');
    const manifest = JSON.parse(readFileSync(join(pack, 'package.json'), 'utf8'));
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ ...manifest, version: '0.0.2' }, null, 4) + '\n');
    await publishPack(pack, home);
    server = await startCodeServer({
        folder: workspace,
        userDataDir: join(temp, 'user-data'),
        extensionsDir: join(temp, 'extensions'),
        env: { POLICY_INSIGHTS_HOME: home, ...DEMO_AWS_ENV },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(workbenchUrl(server.port, { folder: workspace, extensionDevelopmentPath: REPO }));
    await openContainer(page, 'Policy Insights', TIMEOUT);
    await widenSidebar(520);
});

after(async () => {
    await browser?.close();
    await server?.stop();
    await aws?.stop();
    rmSync(temp, { recursive: true, force: true });
});

const sidebar = () => page.locator('.part.sidebar');
const header = (view) => sidebar().locator(`.pane-header[aria-label="${view} Section"]`);
const rows = (view) => sidebar().locator(`[role="tree"][aria-label="${view}"] .monaco-list-row`);

/** Drags the sidebar's right edge so labels and their descriptions fit. */
async function widenSidebar(width) {
    const box = await sidebar().boundingBox();
    const edge = box.x + box.width;
    await page.mouse.move(edge - 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.mouse.move(1000, 450);
}

/** Runs `check` until it passes, for up to `timeoutMs`; then throws its last failure. */
async function eventually(check, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await check();
        } catch (err) {
            if (Date.now() > deadline) throw err;
            await page.waitForTimeout(500);
        }
    }
}

/** Drags the sash above a pane's header to `y`, to give the pane more (or less) room. */
async function dragPaneTop(view, y) {
    const box = await header(view).boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, y, { steps: 8 });
    await page.mouse.up();
}

/** Expands the panes named in `open` and collapses the other Policy Insights panes. */
async function showPanes(open) {
    for (const view of VIEWS) {
        const expanded = (await header(view).getAttribute('aria-expanded')) === 'true';
        if (expanded !== open.includes(view)) await header(view).click();
    }
    for (const view of open) await rows(view).first().waitFor({ timeout: TIMEOUT });
}

/** The row whose label is exactly `label` (its description is not part of the match). */
function row(view, label) {
    return rows(view).filter({ has: page.locator('.label-name').getByText(label, { exact: true }) }).first();
}

/** Collapses a row if it is expanded. */
async function collapse(view, label) {
    const target = row(view, label);
    if ((await target.getAttribute('aria-expanded')) === 'true') await target.locator('.monaco-tl-twistie').click();
}

/** Expands a collapsed row and waits until its children are listed. */
async function expand(view, label) {
    const target = row(view, label);
    await target.waitFor({ timeout: TIMEOUT });
    if ((await target.getAttribute('aria-expanded')) !== 'true') await target.locator('.monaco-tl-twistie').click();
    await page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await target.elementHandle(), { timeout: TIMEOUT });
    return target;
}

/** The label and description of every visible row of a view. */
async function rowTexts(view) {
    return rows(view).evaluateAll((els) => els.map((el) => {
        const name = el.querySelector('.label-name')?.textContent ?? '';
        const description = el.querySelector('.label-description')?.textContent ?? '';
        return `${name}${description ? ` | ${description}` : ''}`.trim();
    }));
}

async function screenshot(name, { blurViews = true } = {}) {
    // No focus outline on the last clicked row, no hover tooltip or highlight over the views.
    if (blurViews) await page.locator('.part.editor').click({ position: { x: 400, y: 300 } });
    // Over the title bar, which has no hovers; then give the last tooltip time to fade.
    await page.mouse.move(700, 12);
    await page.waitForTimeout(750);
    await waitForViewsIdle(page, TIMEOUT);
    mkdirSync(screenshots, { recursive: true });
    const path = join(screenshots, `demo-${name}.png`);
    await page.screenshot({ path });
    return path;
}

test('(a) the Policy Packs tree lists both packs and the two published versions of the workspace pack', async () => {
    await showPanes(['Policy Packs']);
    await expand('Policy Packs', DEMO_WORKSPACE_PACK);
    await row('Policy Packs', '0.0.2').waitFor({ timeout: TIMEOUT });
    await expand('Policy Packs', '0.0.2');
    // The tree refreshes when the evaluation after the publish lands; wait for the version's policy.
    await row('Policy Packs', 's3-no-public-read').waitFor({ timeout: TIMEOUT });
    const texts = await rowTexts('Policy Packs');
    assert.ok(texts.some((t) => t.startsWith('aws-compliance-typescript')), `no aws-compliance-typescript row: ${texts.join('; ')}`);
    assert.ok(texts.some((t) => /^aws-typescript \| latest 0\.0\.2/.test(t)), `aws-typescript does not show latest 0.0.2: ${texts.join('; ')}`);
    const versions = texts.filter((t) => /^0\.0\.\d \|/.test(t));
    assert.deepEqual(versions.map((t) => t.split(' | ')[0]), ['0.0.2', '0.0.1'], `versions listed: ${texts.join('; ')}`);
    assert.ok(texts.some((t) => t.startsWith('s3-no-public-read | mandatory')), `0.0.2's policy is not listed: ${texts.join('; ')}`);
    await screenshot('packs');
});

test('(b) the Accounts tree shows the scanned account by region and resource type, with counts', async () => {
    await showPanes(['Accounts']);
    await expand('Accounts', DEMO_AWS_ACCOUNT);
    await expand('Accounts', 'us-west-2');
    // 66 types: us-west-2's type rows push the rows below out of the list's rendered window,
    // so the rows under it are read with it collapsed
    // the region's children load after it expands: wait until type rows (sorted, so S3 may be below the window) are listed
    const TYPE_ROW = /^aws:[a-z0-9]+\/[A-Za-z0-9]+:[A-Za-z0-9]+ \| \d+$/;
    const typeRows = await eventually(async () => {
        const listed = await rowTexts('Accounts');
        assert.ok(listed.some((t) => TYPE_ROW.test(t)), `no resource type with a count under us-west-2: ${listed.join('; ')}`);
        return listed;
    });
    await collapse('Accounts', 'us-west-2');
    await row('Accounts', 'us-east-1').waitFor({ timeout: TIMEOUT });
    const texts = [...typeRows, ...(await rowTexts('Accounts'))];
    assert.ok(texts.some((t) => t.startsWith(`${DEMO_AWS_ACCOUNT} | AWS · 106 resources`)), `the account row: ${texts.join('; ')}`);
    assert.ok(texts.some((t) => t === 'us-west-2 | 67 resources'), `the us-west-2 row: ${texts.join('; ')}`);
    assert.ok(texts.some((t) => TYPE_ROW.test(t)), `no resource type with a count: ${texts.join('; ')}`);
    assert.ok(texts.some((t) => t.startsWith(`${DEMO_STACK_ACCOUNT} | stack`)), `the stack account row: ${texts.join('; ')}`);
    await screenshot('accounts');
});

test('(c) the Violations tree lists the open violations by policy', async () => {
    await showPanes(['Violations']);
    const icon = page.locator('.part.activitybar [role="tab"]').filter({ has: page.locator('a[aria-label^="Policy Insights"]') });
    // The tree may refresh while the extension settles (a refresh can re-render the group): retry until it holds still.
    await eventually(async () => {
        await expand('Violations', 'ec2-no-open-ssh');
        const texts = await rowTexts('Violations');
        assert.ok(texts.some((t) => /^ec2-no-open-ssh \| \d+ · aws-compliance-typescript$/.test(t)), `the ec2-no-open-ssh group: ${texts.join('; ')}`);
        assert.ok(texts.some((t) => t.startsWith(`bastion-sg | ${DEMO_STACK_ACCOUNT} · mandatory · critical`)), `the demo stack's bastion-sg: ${texts.join('; ')}`);
        const badge = (await icon.locator('.badge-content').innerText()).trim();
        assert.match(badge, /^\d+$/, 'the Policy Insights icon shows the open violation count');
    });
    await screenshot('violations');
});

test('overview: the four views with data, for the README', async () => {
    await showPanes(VIEWS);
    await expand('Policy Packs', DEMO_WORKSPACE_PACK);
    await collapse('Policy Packs', '0.0.2');
    await expand('Policy Groups', 'default-policy-group');
    await collapse('Accounts', 'us-west-2');
    await collapse('Accounts', 'us-east-1');
    await expand('Accounts', DEMO_AWS_ACCOUNT);
    await dragPaneTop('Violations', 470);
    // The first group: the pane is short, and rows below its fold are not rendered.
    const firstGroup = await rows('Violations').first().locator('.label-name').innerText();
    await expand('Violations', firstGroup);
    await screenshot('views');
    // What the screenshot shows: the four views open, each with the rows the README describes.
    for (const view of VIEWS) assert.equal(await header(view).getAttribute('aria-expanded'), 'true', `the ${view} pane is open`);
    const packs = await rowTexts('Policy Packs');
    assert.ok(packs.some((t) => /^aws-typescript \| latest 0\.0\.2/.test(t)), `Policy Packs: ${packs.join('; ')}`);
    assert.deepEqual(packs.filter((t) => /^0\.0\.\d \|/.test(t)).map((t) => t.split(' | ')[0]), ['0.0.2', '0.0.1'], `Policy Packs: ${packs.join('; ')}`);
    const groups = await rowTexts('Policy Groups');
    assert.match(groups[0] ?? '', /^default-policy-group \| \w+ · 2 pack\(s\)$/, `Policy Groups: ${groups.join('; ')}`);
    for (const pack of [DEMO_WORKSPACE_PACK, 'aws-compliance-typescript']) {
        assert.ok(groups.some((t) => t.startsWith(`${pack} | `)), `default-policy-group lists ${pack}: ${groups.join('; ')}`);
    }
    const accounts = await rowTexts('Accounts');
    assert.ok(accounts.some((t) => t.startsWith(`${DEMO_AWS_ACCOUNT} | AWS · 106 resources`)), `Accounts: ${accounts.join('; ')}`);
    assert.ok(accounts.includes('us-west-2 | 67 resources'), `Accounts: ${accounts.join('; ')}`);
    const violations = await rowTexts('Violations');
    assert.match(violations[0] ?? '', /^\S+ \| \d+ · \S+$/, `the first violations group: ${violations.join('; ')}`);
    assert.ok(violations.length > 1, `the first violations group lists its violations: ${violations.join('; ')}`);
    // The same views beside the Policy Violations page: what the README shows.
    await page.keyboard.press('F1');
    const palette = page.locator('.quick-input-widget input');
    await palette.waitFor({ timeout: TIMEOUT });
    await palette.fill('>Policy Insights: Show Policy Violations');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Policy Violations' }).first().waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Enter');
    const webview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await webview.getByText('bastion-sg').first().waitFor({ timeout: TIMEOUT });
    const path = await screenshot('overview', { blurViews: false });
    // The page beside the views: its total, and rows in the grid.
    assert.match(await webview.locator('.result-info').innerText(), /^[\d,]+ violations/, 'the page says how many violations it shows');
    assert.ok((await webview.locator('.grid-body [role=row]').count()) > 0, 'the page lists violations');
    if (process.env.POLICY_INSIGHTS_UPDATE_SCREENSHOTS === '1') {
        mkdirSync(join(readmeScreenshot, '..'), { recursive: true });
        copyFileSync(path, readmeScreenshot);
    }
});

test('(d) the Pulumi program opens in the editor', async () => {
    // The Explorer first: it also takes the keyboard focus back from the Policy Violations page's webview.
    await page.locator('.part.activitybar [role="tab"]').filter({ has: page.locator('a[aria-label^="Explorer"]') }).click();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'demo-infra' }).first().waitFor({ timeout: TIMEOUT });
    const explorerRow = (name) => page.locator(`.explorer-folders-view .monaco-list-row`).filter({ has: page.locator('.label-name').getByText(name, { exact: true }) }).first();
    if ((await explorerRow('demo-infra').getAttribute('aria-expanded')) !== 'true') await explorerRow('demo-infra').click();
    await explorerRow('index.ts').click();
    const tab = page.locator('.tabs-container .tab.active', { hasText: 'index.ts' });
    await tab.waitFor({ timeout: TIMEOUT }).catch(async (err) => {
        await page.screenshot({ path: join(screenshots, 'demo-program-failed.png') });
        throw err;
    });
    const editor = page.locator('.editor-instance .monaco-editor .view-lines');
    await editor.getByText('new aws.s3.Bucket("site-assets"').waitFor({ timeout: TIMEOUT });
    // The TypeScript service colours the file once it has loaded @pulumi/aws's types (many
    // seconds on 2 busy cores); a screenshot before that shows the program uncoloured.
    await page.locator('.part.statusbar').getByText(/Initializing/).waitFor({ state: 'hidden', timeout: TIMEOUT });
    // The Problems panel under the editor says what the squiggles are: Policy Insights' findings on index.ts.
    await page.keyboard.press('Control+Shift+M');
    const markers = page.locator('.part.panel .markers-panel');
    await markers.waitFor({ timeout: TIMEOUT });
    await markers.locator('.monaco-list-row', { hasText: 'index.ts' }).first().waitFor({ timeout: TIMEOUT });
    await markers.locator('.monaco-list-row', { hasText: 'Policy Insights' }).first().waitFor({ timeout: TIMEOUT });
    // The cursor on an empty line (no word highlights), the editor focused.
    await page.keyboard.press('Control+G');
    await page.keyboard.type('13');
    await page.keyboard.press('Enter');
    await screenshot('program', { blurViews: false });
});

test("the demo stack's sourcePositions point at the `new` expressions in demo-infra/index.ts", () => {
    const program = readFileSync(join(workspace, 'demo-infra', 'index.ts'), 'utf8').split('\n');
    const state = JSON.parse(readFileSync(join(workspace, 'demo-infra', 'demo-infra.dev.export.json'), 'utf8'));
    const positioned = state.deployment.resources.filter((r) => r.sourcePosition);
    assert.equal(positioned.length, 6);
    for (const r of positioned) {
        const [, file, line, column] = /^project:\/\/\/(.+)#(\d+),(\d+)$/.exec(r.sourcePosition) ?? [];
        assert.equal(file, 'index.ts', r.sourcePosition);
        const name = r.urn.split('::').pop();
        const text = program[Number(line) - 1] ?? '';
        assert.ok(text.slice(Number(column) - 1).startsWith('new aws.'), `${r.sourcePosition} (${name}) is not at a \`new\`: ${text}`);
        assert.ok(text.includes(`"${name}"`), `${r.sourcePosition} is not where ${name} is created: ${text}`);
    }
});

test('the workbench shows no error notification about the extension', async () => {
    const errors = (await notificationTexts(page)).filter((text) => /policy|command .* not found|activat|error/i.test(text));
    assert.deepEqual(errors, []);
});
