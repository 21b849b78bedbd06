/**
 * Artifact paths stay inside `artifacts/<pack>/`: the pack names `.` and `..` (which the
 * character pattern allows) are refused before anything is written, and a catalog entry
 * edited to point elsewhere is neither run nor removed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import { ArtifactError, artifactDirWithin, artifactRelativePath, packNameProblem, removeArtifact, verifiedArtifactDir } from '../../../server/src/registry/artifacts';

const home = mkdtempSync(path.join(tmpdir(), 'pi-artifact-paths-'));
after(() => rmSync(home, { recursive: true, force: true }));

test('the pack names . and .. are refused; ordinary names with dots are not', () => {
    for (const name of ['.', '..']) {
        assert.match(packNameProblem(name) ?? '', /outside the pack's own/);
        assert.throws(() => artifactRelativePath(name, 1, '1.0.0'), (err: unknown) => err instanceof ArtifactError && /not a valid pack name.*Nothing was published/.test(err.message));
    }
    assert.match(packNameProblem('a/b') ?? '', /not a valid pack name/);
    assert.equal(packNameProblem('my.pack'), undefined);
    assert.equal(artifactRelativePath('my.pack', 2, '1.0.0'), 'artifacts/my.pack/2-1.0.0');
    assert.equal(artifactDirWithin(home, { name: 'my.pack', artifact: 'artifacts/my.pack/2-1.0.0' }), path.join(home, 'artifacts', 'my.pack', '2-1.0.0'));
});

test('a catalog entry whose artifact points outside artifacts/<pack>/ is neither verified nor removed', () => {
    const victim = path.join(home, 'artifacts', 'other', '1-1.0.0');
    mkdirSync(victim, { recursive: true });
    writeFileSync(path.join(victim, 'index.js'), '');
    const tampered = (artifact: string, name = 'mine'): PolicyPackVersion => ({ name, version: 1, versionTag: '1.0.0', policies: [], publishedAt: '', digest: '', artifact });
    for (const pack of [tampered('artifacts/other/1-1.0.0'), tampered('artifacts/mine/../other/1-1.0.0'), tampered('artifacts/mine'), tampered('artifacts/1-1.0.0', '.'), tampered('artifacts/../x', '..')]) {
        assert.throws(() => removeArtifact({ home }, pack), ArtifactError, JSON.stringify(pack));
        assert.throws(() => verifiedArtifactDir({ home }, pack), /outside .*refused/, JSON.stringify(pack));
    }
    assert.ok(existsSync(path.join(victim, 'index.js')), "the other pack's version is still there");
});
