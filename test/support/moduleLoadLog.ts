/**
 * Records every file a Node child process loads, through a module loader hook it is started
 * with (`--import <register>`, on its command line or in NODE_OPTIONS): what the lazy-loading
 * tests (the CLI's and the language server's) check was, or was not, loaded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ModuleLoadLog {
    /** The `--import` argument that installs the hook (a file URL). */
    readonly register: string;
    /** Forgets what was recorded (call before starting the process to watch). */
    reset(): void;
    /** The files loaded since the last reset, each once, those under `folder` only. */
    loadedUnder(folder: string): string[];
}

/** Writes the hook into `dir` (a scratch folder the caller removes). */
export function moduleLoadLog(dir: string): ModuleLoadLog {
    const log = path.join(dir, 'loaded.txt');
    const hooks = path.join(dir, 'hooks.mjs');
    writeFileSync(hooks, [
        "import { appendFileSync } from 'node:fs';",
        'export async function load(url, context, next) {',
        `    if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n');`,
        '    return next(url, context);',
        '}',
    ].join('\n'));
    const register = path.join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    return {
        register: pathToFileURL(register).href,
        reset: () => writeFileSync(log, ''),
        loadedUnder: (folder) => [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean).map((url) => fileURLToPath(url)))].filter((f) => f.startsWith(folder)),
    };
}
