// Playwright helpers for the Policy Insights views in the VS Code workbench (code-server).
// Shared by the e2e views test and the vsix check, which must see the same UI.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './codeServer.mjs';

/** The activity-bar container and its views as package.json contributes them. */
export function contributedViews(manifestPath = join(REPO, 'package.json')) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const container = manifest.contributes?.viewsContainers?.activitybar?.find((c) => c.id === 'policyInsights');
    if (!container) throw new Error(`${manifestPath}: no activity-bar container "policyInsights" in contributes.viewsContainers`);
    const views = manifest.contributes?.views?.policyInsights ?? [];
    const welcome = manifest.contributes?.viewsWelcome ?? [];
    return {
        title: container.title,
        views: views.map((view) => ({
            id: view.id,
            name: view.name,
            // The first line of each welcome text, without markdown links: what the pane shows as a paragraph.
            welcomeFirstLines: welcome
                .filter((w) => w.view === view.id)
                .map((w) => w.contents.split('\n')[0].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim())
                .filter(Boolean),
        })),
    };
}

/** Waits for the workbench, then opens the container from its activity-bar icon. */
export async function openContainer(page, title, timeoutMs = 60_000) {
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: timeoutMs });
    // The icon appears once the extension host has read the extension's manifest.
    const icon = page.locator('.part.activitybar [role="tab"]').filter({ has: page.locator(`a[aria-label^="${title}"]`) });
    await icon.waitFor({ timeout: timeoutMs });
    await icon.click();
    await page.locator('.part.sidebar').locator(`.composite.title h2, .title-label h2`).filter({ hasText: title }).first()
        .waitFor({ timeout: timeoutMs });
    // Leave no hover tooltip over the views in screenshots.
    await page.mouse.move(800, 400);
}

/**
 * Checks each view's header and what its body shows: the welcome content from package.json
 * when the tree is empty, or tree rows. Resolves with what each pane showed; throws with
 * every mismatch at once.
 */
export async function checkViews(page, views, timeoutMs = 30_000) {
    const sidebar = page.locator('.part.sidebar');
    const problems = [];
    const shown = [];
    for (const view of views) {
        const headerSelector = `.pane-header[aria-label="${view.name} Section"]`;
        const header = sidebar.locator(headerSelector);
        try {
            await header.waitFor({ timeout: timeoutMs });
        } catch {
            problems.push(`${view.id}: no pane header "${view.name}" in the sidebar`);
            continue;
        }
        if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
        // `has` takes a locator relative to the pane, so it is built from the page, not the sidebar.
        const pane = sidebar.locator('.pane').filter({ has: page.locator(headerSelector) });
        const welcome = pane.locator('.welcome-view-content');
        const rows = pane.locator(`[role="tree"][aria-label="${view.name}"] .monaco-list-row`);
        // Whichever the view settles on: welcome content (empty tree) or rows.
        try {
            await welcome.or(rows.first()).first().waitFor({ state: 'visible', timeout: timeoutMs });
        } catch {
            problems.push(`${view.id}: shows neither welcome content nor tree rows`);
            continue;
        }
        if (await welcome.isVisible()) {
            const text = (await welcome.innerText()).replace(/\s+/g, ' ').trim();
            const expected = view.welcomeFirstLines.find((line) => text.includes(line));
            if (!expected) problems.push(`${view.id}: welcome content "${text}" matches none of package.json's viewsWelcome for it: ${JSON.stringify(view.welcomeFirstLines)}`);
            else shown.push({ view: view.id, welcome: text });
        } else {
            shown.push({ view: view.id, rows: await rows.count() });
        }
    }
    if (problems.length) throw new Error(`Policy Insights views:\n  ${problems.join('\n  ')}`);
    return shown;
}

/** Collects workbench notifications (error toasts about activation, missing commands). */
export async function notificationTexts(page) {
    return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
}

/** The extension host's own logs under a code-server user data dir, concatenated. */
export function extensionHostLog(userDataDir) {
    const logsRoot = join(userDataDir, 'logs');
    if (!existsSync(logsRoot)) return '';
    let text = '';
    for (const session of readdirSync(logsRoot)) {
        const sessionDir = join(logsRoot, session);
        if (!statSync(sessionDir).isDirectory()) continue;
        for (const host of readdirSync(sessionDir).filter((name) => name.startsWith('exthost'))) {
            const file = join(sessionDir, host, 'remoteexthost.log');
            if (existsSync(file)) text += readFileSync(file, 'utf8');
        }
    }
    return text;
}

/**
 * Waits until the extension host logs that it activated `extensionId`; throws with the
 * log's error lines about it if activation failed or never happened.
 */
export async function waitForActivation(userDataDir, extensionId, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    const escaped = extensionId.replace(/[.]/g, '\\.');
    const failed = new RegExp(`Activating extension '?${escaped}'? failed.*`, 'i');
    for (;;) {
        const text = extensionHostLog(userDataDir);
        const failure = text.match(failed);
        if (failure) throw new Error(`the extension host could not activate ${extensionId}: ${failure[0]}`);
        const activated = text.split('\n').find((line) => line.includes(`_doActivateExtension ${extensionId}`));
        if (activated) return activated.trim();
        if (Date.now() > deadline) {
            const errors = text.split('\n').filter((line) => line.includes('[error]')).slice(-20).join('\n');
            throw new Error(`the extension host did not activate ${extensionId} within ${timeoutMs / 1000} s. Its errors:\n${errors || '(none logged)'}`);
        }
        await new Promise((wait) => setTimeout(wait, 250));
    }
}

/** Waits until no view in the sidebar shows a progress bar and the activity bar no progress badge. */
export async function waitForViewsIdle(page, timeoutMs = 30_000) {
    await page.locator('.part.sidebar .monaco-progress-container.active').first().waitFor({ state: 'hidden', timeout: timeoutMs });
    await page.locator('.part.activitybar .progress-badge').first().waitFor({ state: 'hidden', timeout: timeoutMs });
}
