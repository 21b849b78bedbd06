// Loads the checkout's TypeScript sources into a bench: `exports` (lines such as
// "export { Store } from './server/src/store';", paths from the repository root) bundled by
// esbuild into `work`, their packages resolved from the checkout's node_modules. One home for
// what bench/webview.mjs, bench/server-memory.mjs and bench/violation-query.mjs each did.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function loadSourceModules(work, exports) {
    await esbuild.build({
        stdin: { contents: exports.join('\n'), resolveDir: root, loader: 'ts', sourcefile: 'benchEntry.ts' },
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        packages: 'external',
        outfile: join(work, 'benchEntry.js'),
        logLevel: 'warning',
        absWorkingDir: root,
    });
    // the bundle's packages resolve from the checkout's node_modules
    process.env.NODE_PATH = join(root, 'node_modules');
    const requireFromRoot = createRequire(join(root, 'package.json'));
    requireFromRoot('node:module').Module._initPaths();
    return requireFromRoot(join(work, 'benchEntry.js'));
}
