/**
 * Untrusted strings (a crafted sourcePosition, pack text, a recovery message with a path
 * from disk) reach VS Code notifications as text: their `[label](command:…)` link syntax is
 * broken up so no link renders, and control characters are replaced.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notificationText, plainText } from '../../../client/src/untrustedText';

/** The link syntax VS Code's notifications render (vs/base/common/linkedText.ts). */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

test('a crafted sourcePosition cannot become a command link in a notification', () => {
    const crafted = 'project:///x.ts [Trust this workspace](command:workbench.trust.manage) [open](https://evil.example/a)';
    const shown = notificationText(`${crafted} was not found in the workspace.`);
    assert.deepEqual([...shown.matchAll(NOTIFICATION_LINK)], [], shown);
    assert.match(shown, /\[Trust this workspace\] \(command:workbench\.trust\.manage\)/, 'the text itself is still shown');
    assert.equal(notificationText('plain /tmp/catalog.json.corrupt-1'), 'plain /tmp/catalog.json.corrupt-1');
});

test('control and bidi characters are replaced', () => {
    assert.equal(plainText('a\u001b[2Jb\u202ec\nd'), 'a\ufffd[2Jb\ufffdc\nd');
    assert.equal(notificationText('x\u0000y'), 'x\ufffdy');
});
