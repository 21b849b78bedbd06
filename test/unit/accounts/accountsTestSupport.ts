/** Helpers for the account discovery tests: temp homes, the local AWS with the demo fixture, env overrides. */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Store } from '../../../server/src/store';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import type { LocalAwsFixture } from '../../localaws/fixture';

/** The repository root: the tests run bundled from out/test/... (or elsewhere), so look for a known file above. */
function findRepo(): string {
    for (const start of [__dirname, process.cwd()]) {
        for (let dir = resolve(start); ; dir = dirname(dir)) {
            if (existsSync(join(dir, 'test/fixtures/aws/demo-account.json'))) return dir;
            if (dirname(dir) === dir) break;
        }
    }
    throw new Error(`test/fixtures/aws/demo-account.json not found above ${__dirname} or ${process.cwd()}`);
}

export const REPO = findRepo();
export const DEMO_FIXTURE = join(REPO, 'test/fixtures/aws/demo-account.json');
export const STACK_FIXTURES = join(REPO, 'test/fixtures/stacks');

export function demoFixture(): LocalAwsFixture {
    return JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8')) as LocalAwsFixture;
}

export async function tempDir(prefix = 'pi-accounts-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Sets env variables (undefined removes one) for the duration of `body`. */
export async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
    const saved: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(vars)) {
        saved[key] = process.env[key];
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
    try {
        return await body();
    } finally {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    }
}

/** Env that makes the default credential chain use `aws`'s key and nothing from the real machine. */
export function envCredentials(aws: LocalAws, home: string): Record<string, string | undefined> {
    return {
        AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_CONFIG_FILE: undefined,
        AWS_SHARED_CREDENTIALS_FILE: undefined,
        AWS_EC2_METADATA_DISABLED: 'true',
        HOME: home,
    };
}

export interface AwsWorld {
    aws: LocalAws;
    store: Store;
    home: string;
    cleanup: () => Promise<void>;
}

/** A local AWS serving `fixture` (default: the demo account), a fresh store, and env credentials for its first key. */
export async function startWorld(fixture: LocalAwsFixture | string = DEMO_FIXTURE): Promise<AwsWorld> {
    const aws = await startLocalAws({ fixture });
    const { dir, cleanup } = await tempDir();
    const store = await Store.open({ home: join(dir, 'store') });
    const env = envCredentials(aws, dir);
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    return {
        aws,
        store,
        home: dir,
        cleanup: async () => {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
            await store.close();
            await aws.stop();
            await cleanup();
        },
    };
}
