// The Policy Insights views as a user sees them: code-server with the extension under
// development, Chromium clicking the activity-bar icon, the four views and their welcome
// content, a screenshot in test/e2e/screenshots/views.png.
//
//   node --test test/e2e/views.e2e.mjs        (after `node esbuild.mjs`)
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, launchChromium, startCodeServer, workbenchUrl } from '../harness/codeServer.mjs';
import { checkViews, contributedViews, notificationTexts, openContainer, waitForActivation, waitForViewsIdle } from '../harness/workbench.mjs';

const EXTENSION_ID = 'policy-insights.policy-insights';
/** The extension folder to load; another one only while developing the harness itself. */
const extensionPath = resolve(process.env.POLICY_INSIGHTS_E2E_EXTENSION ?? REPO);
const screenshots = join(REPO, 'test', 'e2e', 'screenshots');

const temp = mkdtempSync(join(tmpdir(), 'policy-insights-e2e-'));
const userDataDir = join(temp, 'user-data');
const workspace = join(temp, 'demo-workspace');
let server;
let browser;
let page;

before(async () => {
    mkdirSync(join(temp, 'home'));
    cpSync(join(REPO, 'test', 'fixtures', 'demo-workspace'), workspace, { recursive: true });
    server = await startCodeServer({
        folder: workspace,
        userDataDir,
        extensionsDir: join(temp, 'extensions'),
        env: { POLICY_INSIGHTS_HOME: join(temp, 'home') },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(workbenchUrl(server.port, { folder: workspace, extensionDevelopmentPath: extensionPath }));
});

after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
});

test('the activity-bar icon opens the Policy Insights views with their welcome content', async () => {
    const { title, views } = contributedViews(join(extensionPath, 'package.json'));
    assert.deepEqual(views.map((v) => v.name), ['Policy Packs', 'Policy Groups', 'Accounts', 'Violations']);
    await openContainer(page, title);
    const shown = await checkViews(page, views);
    // With an empty store home at least the packs view has nothing to list, so it shows its welcome.
    assert.ok(shown.some((s) => s.welcome), `no view shows welcome content: ${JSON.stringify(shown)}`);
    await waitForViewsIdle(page);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'views.png') });
});

test('the extension activates without an error in the extension host or the workbench', async () => {
    const activation = await waitForActivation(userDataDir, EXTENSION_ID);
    assert.match(activation, /_doActivateExtension policy-insights\.policy-insights/);
    const errors = (await notificationTexts(page)).filter((text) => /policy|command .* not found|activat/i.test(text));
    assert.deepEqual(errors, [], 'the workbench shows error notifications about the extension');
});
