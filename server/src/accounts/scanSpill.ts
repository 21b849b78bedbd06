/**
 * A scan's findings kept on disk while the scan runs, so the scanning process never holds
 * every resource of an account at once (issue 14: 100,000 resources within 400 MB): each
 * task's resources are appended as they come (a large listing page by page) to files of JSON
 * lines, one per task and child; a task that succeeds is committed, one that fails is
 * dropped (a failed task gives none); each child's resources are read back, in the order
 * their tasks were committed, when its shard is merged, one child at a time.
 *
 * A scan that crashes (or whose process is killed) leaves its folder behind, and a 1M-resource
 * account leaves gigabytes. So each folder is named for the process that owns it
 * (`policy-insights-scan-<pid>-XXXXXX`), and a scan starting removes the folders whose owner is
 * gone (removeStaleSpills); a folder whose process lives is never touched.
 */
import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Resource } from '../shared/model';
import { errorMessage } from '../shared/errors';

const PREFIX = 'policy-insights-scan-';
/** `policy-insights-scan-<pid>-XXXXXX`: the pid of the process that made it. */
const OWNED = /^policy-insights-scan-(\d+)-[^-]+$/;
/**
 * Folders made before they were named for their process (`policy-insights-scan-XXXXXX`): their
 * owner is unknown, so one is removed only when nothing was written in it for this long (a scan
 * writes as it goes; no scan runs a day).
 */
export const UNOWNED_STALE_MS = 24 * 60 * 60 * 1000;

/** Whether process `pid` is running (on this machine: TMPDIR is local). */
function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it runs, as another user
        return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
}

/**
 * Removes the scan folders in `parent` whose process is gone (see above) and says so through
 * `log`; best effort: a folder that cannot be read or removed is left (and named in the log).
 * @returns the folders removed
 */
export async function removeStaleSpills(parent: string, log?: (message: string) => void, now = Date.now()): Promise<string[]> {
    let names: string[];
    try {
        names = (await readdir(parent)).filter((name) => name.startsWith(PREFIX));
    } catch {
        return []; // creating the new folder says what is wrong with `parent`
    }
    const removed: string[] = [];
    for (const name of names) {
        const dir = join(parent, name);
        const owner = OWNED.exec(name);
        try {
            if (owner) {
                if (isRunning(Number(owner[1]))) continue;
            } else if (now - (await stat(dir)).mtimeMs < UNOWNED_STALE_MS) {
                continue;
            }
            await rm(dir, { recursive: true, force: true });
            removed.push(dir);
        } catch (error) {
            log?.(`Could not remove ${dir}, left by a scan that did not finish (${errorMessage(error)}); remove it by hand.`);
        }
    }
    if (removed.length) log?.(`Removed ${removed.length} folder(s) of scan findings left by scans whose process is gone: ${removed.join(', ')}`);
    return removed;
}

interface OpenFile {
    path: string;
    fd: number;
}

export class ScanSpill {
    /** The files of each task not yet committed or dropped, per child. */
    private readonly open = new Map<number, Map<string, OpenFile>>();
    /** Committed tasks' files per child, in commit order. */
    private readonly committed = new Map<string, string[]>();
    private tasks = 0;
    private failure: Error | undefined;

    private constructor(readonly dir: string) {}

    /**
     * A spill in a new folder of this process under the system's temp folder (`TMPDIR`), after
     * removing the folders of scans whose process is gone (told to `log`).
     */
    static async create(parent = tmpdir(), log?: (message: string) => void): Promise<ScanSpill> {
        await removeStaleSpills(parent, log);
        try {
            return new ScanSpill(await mkdtemp(join(parent, `${PREFIX}${process.pid}-`)));
        } catch (error) {
            throw new Error(`could not create a folder for the scan's findings in ${parent} (${errorMessage(error)}); free disk space there or point TMPDIR at a writable folder`, { cause: error });
        }
    }

    /** A new task, whose resources stay apart until it is committed or dropped. */
    startTask(): number {
        const task = this.tasks++;
        this.open.set(task, new Map());
        return task;
    }

    /**
     * Appends `resources` to the task's files of their children, in the order given. Written at
     * once, synchronously: a page at most, into the page cache, and the text is garbage before
     * the next allocation burst (text queued for an asynchronous write lived long enough to be
     * promoted to the old generation, and the heap grew with it).
     */
    add(task: number, resources: readonly Resource[]): void {
        const files = this.open.get(task);
        if (!files) throw new Error(`ScanSpill: task ${task} was already committed or dropped`);
        if (this.failure) return;
        const lines = new Map<string, string[]>();
        for (const r of resources) {
            const list = lines.get(r.account);
            if (list) list.push(JSON.stringify(r));
            else lines.set(r.account, [JSON.stringify(r)]);
        }
        for (const [child, list] of lines) {
            let path = join(this.dir, `${task}-${files.size}.jsonl`);
            try {
                const file = this.fileOf(task, files, child);
                path = file.path;
                writeSync(file.fd, `${list.join('\n')}\n`);
            } catch (error) {
                this.failure = new Error(`could not write the scan's findings to ${path} (${errorMessage(error)}); free disk space there or point TMPDIR at a writable folder, then scan again`, { cause: error });
                return;
            }
        }
    }

    /** The task succeeded: its resources are the scan's, after those of the tasks committed before. */
    commit(task: number): void {
        for (const [child, file] of this.open.get(task) ?? []) {
            closeSync(file.fd);
            const files = this.committed.get(child);
            if (files) files.push(file.path);
            else this.committed.set(child, [file.path]);
        }
        this.open.delete(task);
    }

    /** The task failed: its resources are dropped. */
    drop(task: number): void {
        for (const file of this.open.get(task)?.values() ?? []) {
            closeSync(file.fd);
            rmSync(file.path, { force: true });
        }
        this.open.delete(task);
    }

    /** Every resource of the committed tasks for `child`, in commit order, each task's in the order added. @throws when a write failed */
    async read(child: string): Promise<Resource[]> {
        if (this.failure) throw this.failure;
        const out: Resource[] = [];
        for (const file of this.committed.get(child) ?? []) {
            // line by line: a file's whole text is never held beside its parse
            const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
            for await (const line of lines) if (line) out.push(JSON.parse(line) as Resource);
        }
        return out;
    }

    /** Removes the folder; best effort, a leftover sits in the temp folder. */
    async dispose(): Promise<void> {
        for (const files of this.open.values()) for (const file of files.values()) closeSync(file.fd);
        this.open.clear();
        await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    }

    private fileOf(task: number, files: Map<string, OpenFile>, child: string): OpenFile {
        let file = files.get(child);
        if (!file) {
            const path = join(this.dir, `${task}-${files.size}.jsonl`);
            file = { path, fd: openSync(path, 'a') };
            files.set(child, file);
        }
        return file;
    }
}
