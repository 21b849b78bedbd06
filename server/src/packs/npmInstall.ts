/**
 * `npm install` in a policy pack folder, with its output streamed and a cancel that also stops
 * the install scripts npm started. Used by `policy new` (CLI), the New Policy Pack command and
 * the "Install dependencies" quick fix on a pack whose dependencies are missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
// Install failures are reported with scaffolding's error codes (install-failed, install-cancelled).
import { ScaffoldError } from './scaffold';

export interface InstallOptions {
    /** Aborting kills npm and everything it started, and rejects with code `install-cancelled`. */
    signal?: AbortSignal;
    /** npm's stdout and stderr, as they arrive. */
    onOutput?: (chunk: string) => void;
}

/** Last `count` non-empty lines of npm's output, for error messages. */
function tail(output: string, count: number): string {
    return output
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .slice(-count)
        .join('\n');
}

/** Kills npm and the scripts it started (POSIX: the whole process group). */
function killTree(pid: number): void {
    try {
        if (process.platform === 'win32') {
            spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' });
        } else {
            process.kill(-pid, 'SIGKILL');
        }
    } catch {
        // Already gone.
    }
}

/**
 * Runs `npm install` in a scaffolded pack. Rejects with `install-failed` (with the tail of
 * npm's output) or `install-cancelled` (after killing npm and its children).
 */
export function installDependencies(dir: string, options: InstallOptions = {}): Promise<void> {
    const packDir = path.resolve(dir);
    return new Promise<void>((resolve, reject) => {
        // Without a package.json npm walks up and installs into whatever project encloses the folder.
        if (!existsSync(path.join(packDir, 'package.json')) || !statSync(path.join(packDir, 'package.json')).isFile()) {
            reject(new ScaffoldError('install-failed', `No package.json in '${packDir}'; scaffold the pack first (policy new).`));
            return;
        }
        if (options.signal?.aborted) {
            reject(new ScaffoldError('install-cancelled', `npm install in '${packDir}' was cancelled before it started.`));
            return;
        }
        const windows = process.platform === 'win32';
        const child = spawn(windows ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund'], {
            cwd: packDir,
            // Its own process group, so cancelling also stops the install scripts npm runs.
            detached: !windows,
            shell: windows,
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, npm_config_color: 'false', npm_config_progress: 'false', npm_config_update_notifier: 'false' },
        });
        let output = '';
        const collect = (chunk: Buffer) => {
            const text = chunk.toString('utf8');
            // Keep enough for a useful tail without holding a whole verbose log.
            output = (output + text).slice(-64 * 1024);
            options.onOutput?.(text);
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);

        let cancelled = false;
        const onAbort = () => {
            cancelled = true;
            if (child.pid !== undefined) {
                killTree(child.pid);
            }
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });

        child.on('error', (e: NodeJS.ErrnoException) => {
            options.signal?.removeEventListener('abort', onAbort);
            const hint = e.code === 'ENOENT' ? ' npm was not found on PATH; install Node.js (which includes npm) and try again.' : '';
            reject(new ScaffoldError('install-failed', `Could not run npm install in '${packDir}': ${e.message}.${hint}`));
        });
        child.on('close', (code, signal) => {
            options.signal?.removeEventListener('abort', onAbort);
            if (cancelled) {
                reject(new ScaffoldError('install-cancelled', `npm install in '${packDir}' was cancelled.`));
            } else if (code === 0) {
                resolve();
            } else {
                const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
                reject(
                    new ScaffoldError(
                        'install-failed',
                        `npm install failed in '${packDir}' (${how}). Last output:\n${tail(output, 20) || '(none)'}\n` +
                            'Fix the problem and run `npm install` in that folder.',
                    ),
                );
            }
        });
    });
}
