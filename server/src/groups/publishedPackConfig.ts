/**
 * A pack config checked against a *published* pack version: the one home of what `policy
 * validate-config`, the extension's "Validate Config File…" and its "Configure Policy…" form
 * ask (the same lookup, the same rules of packConfigValidation.ts, the same messages).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { PolicyPackVersion } from '../shared/model';
import type { Catalog } from '../store';
import { resolveAppliedVersion } from './effectiveBindings';
import { GroupError, type ConfigError } from './groupErrors';
import { jsonPath, validatePackConfig } from './packConfigValidation';

/** The published version `versionTag` (a tag, `latest`) of `pack`. @throws GroupError 'not-found' naming the versions there are */
export function publishedVersion(catalog: Catalog, pack: string, versionTag: string): PolicyPackVersion {
    const version = resolveAppliedVersion(catalog, { name: pack, versionTag });
    if (version) return version;
    const tags = catalog.packs.filter((p) => p.name === pack).map((p) => p.versionTag);
    throw new GroupError(
        'not-found',
        tags.length ? `Policy pack ${pack} has no version ${versionTag} (versions: ${tags.join(', ')}, or latest).` : `No policy pack "${pack}" is published. Publish it with \`policy-insights policy publish DIR\`.`,
    );
}

export interface PublishedConfigCheck {
    /** The version checked against (`latest` resolved). */
    version: PolicyPackVersion;
    /** Every problem, each at its JSON path; empty when the config is valid. */
    errors: ConfigError[];
}

/** Checks `config` against the published `pack@versionTag`. @throws GroupError 'not-found' */
export function checkPublishedConfig(catalog: Catalog, pack: string, versionTag: string, config: unknown): PublishedConfigCheck {
    const version = publishedVersion(catalog, pack, versionTag);
    return { version, errors: validatePackConfig(version, config) };
}

/**
 * The errors about one property of one policy: at its path or under it, and its "missing
 * required property" (reported at the policy's path). For a form that asks one property at a time.
 */
export function errorsAtProperty(errors: readonly ConfigError[], policy: string, property: string): ConfigError[] {
    const at = jsonPath([policy, property]);
    const missing = `missing required property ${JSON.stringify(property)}`;
    return errors.filter((e) => e.path === at || e.path.startsWith(`${at}.`) || e.path.startsWith(`${at}[`) || (e.path === jsonPath([policy]) && e.message === missing));
}

/** Reads a pack config file: JSON, or YAML for .yaml/.yml. @throws GroupError 'invalid' naming the file and what is wrong */
export async function readPackConfigFile(file: string): Promise<unknown> {
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        throw new GroupError('invalid', `cannot read the config file ${file}: ${(error as Error).message}`);
    }
    const yaml = /\.ya?ml$/i.test(file);
    try {
        return (yaml ? parseYaml(text) : JSON.parse(text)) as unknown;
    } catch (error) {
        throw new GroupError('invalid', `${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
    }
}
