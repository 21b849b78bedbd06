/**
 * Drift checks between package.json, the extension's sources and protocol.ts:
 * - every contributed command is registered by the extension, and every command the
 *   manifest refers to (menus, welcome content, walkthrough) is contributed;
 * - every custom method is defined once in protocol.ts, every method string in the code
 *   comes from there, and each request/notification has a handler on the receiving side;
 * - the settings that list domain values (enforcement levels) take them from model.ts's list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ENFORCEMENT_LEVELS } from '../../server/src/shared/model';
import { REPO } from './lspClient';

function sources(dir: string): { file: string; text: string }[] {
    const out: { file: string; text: string }[] = [];
    for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) out.push(...sources(full));
        else if (/\.ts$/.test(entry)) out.push({ file: path.relative(REPO, full), text: readFileSync(full, 'utf8') });
    }
    return out;
}

const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const clientSources = sources(path.join(REPO, 'client', 'src'));
const serverSources = sources(path.join(REPO, 'server', 'src'));
const webviewSources = sources(path.join(REPO, 'webviews', 'src'));
const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);

/** Command ids registered in client code: registerCommand('id' ...) or registerTextEditorCommand. */
function registeredCommands(): Set<string> {
    const ids = new Set<string>();
    for (const { text } of clientSources) {
        for (const m of text.matchAll(/register(?:TextEditor)?Command\(\s*['"`]([\w.]+)['"`]/g)) ids.add(m[1]);
    }
    return ids;
}

test('every contributed command is registered by the extension', () => {
    const registered = registeredCommands();
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed in package.json but never registered in client/src: ${missing.join(', ')}`);
});

test('every registered command is contributed, with the policyInsights prefix and the Policy Insights category', () => {
    const notContributed = [...registeredCommands()].filter((id) => !contributed.includes(id));
    assert.deepEqual(notContributed, [], `registered but missing from contributes.commands: ${notContributed.join(', ')}`);
    for (const c of manifest.contributes.commands) {
        assert.match(c.command, /^policyInsights\.[a-z][A-Za-z]+$/, `${c.command}: ids are policyInsights.camelCaseVerb`);
        assert.equal(c.category, 'Policy Insights', `${c.command}: category`);
    }
});

test('every command the manifest links to (menus, welcome content, walkthrough) is contributed', () => {
    const text = JSON.stringify({
        menus: manifest.contributes.menus,
        welcome: manifest.contributes.viewsWelcome,
        walkthroughs: manifest.contributes.walkthroughs,
    });
    const linked = new Set<string>();
    for (const m of text.matchAll(/command:(policyInsights\.[\w]+)/g)) linked.add(m[1]);
    for (const m of text.matchAll(/"command":"(policyInsights\.[\w]+)"/g)) linked.add(m[1]);
    for (const m of text.matchAll(/onCommand:(policyInsights\.[\w]+)/g)) linked.add(m[1]);
    const dangling = [...linked].filter((id) => !contributed.includes(id));
    assert.deepEqual(dangling, [], `linked from the manifest but not contributed: ${dangling.join(', ')}`);
});

interface ProtocolEntry {
    namespace: string;
    method: string;
    kind: 'request' | 'notification';
    sender: 'client' | 'server';
}

/** protocol.ts, and panelProtocol.ts for the Policy Violations panel's requests. */
const PROTOCOL_FILES = ['protocol.ts', 'panelProtocol.ts'].map((f) => path.join('server', 'src', 'shared', f));

function protocolEntries(): ProtocolEntry[] {
    return PROTOCOL_FILES.flatMap((file) => protocolEntriesOf(readFileSync(path.join(REPO, file), 'utf8')));
}

function protocolEntriesOf(text: string): ProtocolEntry[] {
    const entries: ProtocolEntry[] = [];
    const re = /\/\*\*\s*(client|server)\s*->\s*(client|server)[^*]*\*\/\s*export namespace (\w+) \{\s*export const method = '([^']+)';\s*export const type = new (Request|Notification)Type/g;
    for (const m of text.matchAll(re)) {
        entries.push({ sender: m[1] as 'client' | 'server', namespace: m[3], method: m[4], kind: m[5] === 'Request' ? 'request' : 'notification' });
    }
    // Every namespace in the file must have been matched: a namespace without the
    // "who sends it" comment is itself drift.
    const namespaces = [...text.matchAll(/export namespace (\w+)/g)].map((m) => m[1]);
    assert.deepEqual(
        namespaces.filter((n) => !entries.some((e) => e.namespace === n)),
        [],
        'protocol.ts namespaces must each carry a /** client -> server */ or /** server -> client */ comment',
    );
    return entries;
}

test('the protocol files define each method once and every namespace says who sends it', () => {
    const entries = protocolEntries();
    assert.ok(entries.length >= 5, `parsed ${entries.length} protocol entries`);
    const methods = entries.map((e) => e.method);
    assert.deepEqual(methods.filter((m, i) => methods.indexOf(m) !== i), [], 'duplicate method strings');
    for (const m of methods) assert.match(m, /^policyInsights\//);
});

test('no custom method string is spelled outside protocol.ts', () => {
    const offenders: string[] = [];
    for (const { file, text } of [...clientSources, ...serverSources, ...webviewSources]) {
        if (PROTOCOL_FILES.includes(file)) continue;
        for (const m of text.matchAll(/['"`](policyInsights\/[\w/]+)['"`]/g)) offenders.push(`${file}: ${m[1]}`);
    }
    assert.deepEqual(offenders, [], 'use the namespace from protocol.ts instead');
});

test('every request and notification has a handler on the receiving side', () => {
    const receiverText = (sender: 'client' | 'server') => (sender === 'client' ? serverSources : clientSources).map((s) => s.text).join('\n');
    const missing: string[] = [];
    for (const e of protocolEntries()) {
        const handler = e.kind === 'request' ? 'onRequest' : 'onNotification';
        const pattern = new RegExp(`${handler}\\(\\s*${e.namespace}\\.type`);
        if (!pattern.test(receiverText(e.sender))) missing.push(`${e.namespace} (${e.sender} sends; no ${handler} on the other side)`);
    }
    assert.deepEqual(missing, []);
});

test('policyInsights.diagnostics.levels offers the enforcement levels of model.ts that show as diagnostics', () => {
    const setting = manifest.contributes.configuration.properties['policyInsights.diagnostics.levels'];
    assert.ok(setting, 'package.json contributes no policyInsights.diagnostics.levels setting');
    // disabled policies report nothing, so it is the one level without a diagnostic
    assert.deepEqual([...setting.items.enum].sort(), ENFORCEMENT_LEVELS.filter((l) => l !== 'disabled').sort());
    for (const level of setting.default) assert.ok(ENFORCEMENT_LEVELS.includes(level), `default "${level}" is not an enforcement level`);
});
