/** writeFileAtomic writes a large text in slices (no Buffer of the whole text): the file holds exactly the text's UTF-8. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { WRITE_SLICE_CHARS, writeFileAtomic } from '../../../server/src/store/atomicFile';

const dir = mkdtempSync(join(tmpdir(), 'pi-atomic-slices-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('writes a text of several slices byte for byte, a surrogate pair across a slice boundary included', async () => {
    // the emoji's two UTF-16 halves straddle the first boundary; multi-byte characters sit on the second
    const text = `${'a'.repeat(WRITE_SLICE_CHARS - 1)}\u{1F600}${'\u00e9'.repeat(WRITE_SLICE_CHARS - 1)}\u4e2d${'z'.repeat(1000)}`;
    const file = join(dir, 'large.json');
    await writeFileAtomic(file, text, { keepBackup: false });
    const written = readFileSync(file);
    assert.equal(written.length, Buffer.byteLength(text));
    assert.ok(written.equals(Buffer.from(text, 'utf8')));
});
