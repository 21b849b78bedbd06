/**
 * A scan's findings kept on disk while the scan runs, one file of JSON lines per child
 * account, so the scanning process never holds every resource of an account at once: each
 * task's resources are appended as the task ends, and each child's are read back when its
 * shard is merged, one child at a time (issue 14: 100,000 resources within 400 MB).
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Resource } from '../shared/model';
import { errorMessage } from '../shared/errors';

export class ScanSpill {
    private readonly files = new Map<string, string>();
    private chain: Promise<void> = Promise.resolve();
    private failure: Error | undefined;

    private constructor(readonly dir: string) {}

    /** A spill in a new folder under the system's temp folder (`TMPDIR`). */
    static async create(parent = tmpdir()): Promise<ScanSpill> {
        try {
            return new ScanSpill(await mkdtemp(join(parent, 'policy-insights-scan-')));
        } catch (error) {
            throw new Error(`could not create a folder for the scan's findings in ${parent} (${errorMessage(error)}); free disk space there or point TMPDIR at a writable folder`, { cause: error });
        }
    }

    /** Appends `resources` to their children's files, in the order given; the writes run in the background (read and finish wait for them). */
    add(resources: readonly Resource[]): void {
        const lines = new Map<string, string[]>();
        for (const r of resources) {
            const list = lines.get(r.account);
            if (list) list.push(JSON.stringify(r));
            else lines.set(r.account, [JSON.stringify(r)]);
        }
        for (const [child, list] of lines) {
            const file = this.fileOf(child);
            const text = `${list.join('\n')}\n`;
            this.chain = this.chain.then(async () => {
                if (this.failure) return;
                try {
                    await appendFile(file, text);
                } catch (error) {
                    this.failure = new Error(`could not write the scan's findings to ${file} (${errorMessage(error)}); free disk space there or point TMPDIR at a writable folder, then scan again`, { cause: error });
                }
            });
        }
    }

    /** Every resource added for `child`, in the order added. @throws when a write failed */
    async read(child: string): Promise<Resource[]> {
        await this.chain;
        if (this.failure) throw this.failure;
        const file = this.files.get(child);
        if (!file) return [];
        const out: Resource[] = [];
        // line by line: the file's whole text is never held beside its parse
        const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
        for await (const line of lines) if (line) out.push(JSON.parse(line) as Resource);
        return out;
    }

    /** Removes the folder (after the writes in flight); best effort, a leftover sits in the temp folder. */
    async dispose(): Promise<void> {
        await this.chain;
        await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    }

    private fileOf(child: string): string {
        let file = this.files.get(child);
        if (!file) {
            file = join(this.dir, `${this.files.size}.jsonl`);
            this.files.set(child, file);
        }
        return file;
    }
}
