// Shared by the local AWS tests: where the demo fixture is and how clients are configured.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LocalAws } from '../../localaws/server';

/** Finds a repository file from the test's location (source or bundled under out/) or the working directory. */
export function repoFile(relative: string): string {
    for (const start of [__dirname, process.cwd()]) {
        for (let dir = start; ; dir = dirname(dir)) {
            const candidate = join(dir, relative);
            if (existsSync(candidate)) return candidate;
            if (dirname(dir) === dir) break;
        }
    }
    throw new Error(`cannot find ${relative} above ${__dirname} or ${process.cwd()}`);
}

export const DEMO_FIXTURE = repoFile('test/fixtures/aws/demo-account.json');

/** The demo account's keys (see the fixture). */
export const SCANNER_KEYS = { accessKeyId: 'AKIADEMOSCANNER00001', secretAccessKey: 'demo/scanner/secret/key/000000000000001' };
export const MEMBER_KEYS = { accessKeyId: 'AKIAMEMBERADMIN00001', secretAccessKey: 'member/admin/secret/key/0000000000000001' };

/** Client config pointing a real SDK client at the local AWS; retries off unless asked for. */
export function clientConfig(aws: LocalAws, region = 'us-west-2', extra: Record<string, unknown> = {}) {
    return { endpoint: aws.url, region, credentials: SCANNER_KEYS, maxAttempts: 1, ...extra };
}

/** The canned ACL a scanner derives from grants (AllUsers / AuthenticatedUsers). */
export function cannedAclOf(grants: { Grantee?: { URI?: string }; Permission?: string }[]): string {
    const has = (uri: string, permission: string) => grants.some((g) => g.Grantee?.URI === uri && g.Permission === permission);
    const all = 'http://acs.amazonaws.com/groups/global/AllUsers';
    if (has(all, 'READ') && has(all, 'WRITE')) return 'public-read-write';
    if (has(all, 'READ')) return 'public-read';
    if (has('http://acs.amazonaws.com/groups/global/AuthenticatedUsers', 'READ')) return 'authenticated-read';
    return 'private';
}

/** Collects every item of an SDK paginator. */
export async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let count = 0;
    for await (const page of pages) {
        count++;
        items.push(...(pick(page) ?? []));
    }
    return { items, pages: count };
}
