/**
 * A stack's own tags, as far as the local files carry them (Pulumi keeps them in the service, or
 * for the file backend beside the state): what pulumi/pulumi pkg/backend/stack.go
 * GetEnvironmentTagsForCurrentStack derives from the project (`pulumi:project`, `pulumi:runtime`,
 * `pulumi:description` from Pulumi.yaml, and the `pulumi:tags` config object of
 * Pulumi.<stack>.yaml), then the file backend's `<stack>.pulumi-tags` file
 * (pkg/backend/diy/stack_tags.go, `{"version": 1, "tags": {...}}`), which holds what `pulumi
 * stack tag set` set. Policy groups' tag rules match them together with the tags set here.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AccountInputError } from '../accountNames';
import { findStackConfigFile } from './stackConfig';

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readIfThere(file: string): Promise<string | undefined> {
    try {
        return await readFile(file, 'utf8');
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new AccountInputError(`cannot read ${file}: ${(error as Error).message}`);
    }
}

function parseYamlFile(file: string, text: string): unknown {
    try {
        return parseYaml(text) as unknown;
    } catch (error) {
        throw new AccountInputError(`${file} is not valid YAML: ${(error as Error).message}`);
    }
}

/** Pulumi.yaml's tags, when the Pulumi.yaml beside the state names the state's project. */
async function projectTags(stateFile: string, project: string): Promise<Record<string, string>> {
    const dir = path.dirname(path.resolve(stateFile));
    for (const name of ['Pulumi.yaml', 'Pulumi.yml']) {
        const file = path.join(dir, name);
        const text = await readIfThere(file);
        if (text === undefined) continue;
        const doc = parseYamlFile(file, text);
        if (!isRecord(doc) || doc.name !== project) return {};
        const tags: Record<string, string> = {};
        // `runtime: nodejs` or `runtime: {name: nodejs, options: …}`, as workspace.ProjectRuntimeInfo reads it
        const runtime = typeof doc.runtime === 'string' ? doc.runtime : isRecord(doc.runtime) && typeof doc.runtime.name === 'string' ? doc.runtime.name : undefined;
        if (runtime) tags['pulumi:runtime'] = runtime;
        if (typeof doc.description === 'string') tags['pulumi:description'] = doc.description;
        return tags;
    }
    return {};
}

/** The `pulumi:tags` object of Pulumi.<stack>.yaml (strings only, as the engine requires). */
async function configTags(stateFile: string, project: string, stack: string): Promise<Record<string, string>> {
    const file = await findStackConfigFile(stateFile, project, stack);
    if (!file) return {};
    const doc = parseYamlFile(file, (await readIfThere(file)) ?? '');
    const value = isRecord(doc) && isRecord(doc.config) ? doc.config['pulumi:tags'] : undefined;
    if (value === undefined) return {};
    if (!isRecord(value)) throw new AccountInputError(`${file}: pulumi:tags must be an object of strings`);
    const tags: Record<string, string> = {};
    for (const [key, tag] of Object.entries(value)) {
        if (typeof tag !== 'string') throw new AccountInputError(`${file}: pulumi:tags[${key}] must be a string`);
        tags[key] = tag;
    }
    return tags;
}

/** The file backend's tags file beside `.pulumi/stacks/<project>/<stack>.json[.gz]`. */
async function backendTags(stateFile: string): Promise<Record<string, string>> {
    // only a file-backend checkpoint (`<stack>.json[.gz]`) has one; an export file named otherwise has none
    if (!/\.json(\.gz)?$/i.test(stateFile)) return {};
    const file = stateFile.replace(/\.json(\.gz)?$/i, '') + '.pulumi-tags';
    const text = await readIfThere(file);
    if (text === undefined) return {};
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (error) {
        throw new AccountInputError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    if (!isRecord(doc) || doc.version !== 1) throw new AccountInputError(`${file}: unsupported stack tags file (expected {"version": 1, "tags": {...}}, as \`pulumi stack tag set\` writes it)`);
    const tags: Record<string, string> = {};
    for (const [key, tag] of Object.entries(isRecord(doc.tags) ? doc.tags : {})) if (typeof tag === 'string') tags[key] = tag;
    return tags;
}

/**
 * The stack's own tags from the files beside its state (without `pulumi:project`, which the
 * account's project gives). Missing files give none. @throws AccountInputError for a file that is there but malformed
 */
export async function readStackTags(stateFile: string, project: string, stack: string): Promise<Record<string, string>> {
    return { ...(await projectTags(stateFile, project)), ...(await configTags(stateFile, project, stack)), ...(await backendTags(stateFile)) };
}
