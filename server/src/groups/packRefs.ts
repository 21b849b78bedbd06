/**
 * How a Pulumi user names packs and versions on the command line (pulumi/pulumi
 * pkg/cmd/pulumi/policy): `<org-name>/<policy-pack-name>`, and a version as a tag or as the
 * registry's version number (`enable aws@3`, `rm aws 3`). One local registry per home has no
 * organizations, so an org prefix is accepted and set aside with a notice.
 */
import type { Catalog } from '../store';

export interface PackName {
    pack: string;
    /** The organization the user wrote, which a local home does not have. */
    org?: string;
}

/** `org/pack` or `pack`. */
export function parsePackName(value: string): PackName {
    const slash = value.indexOf('/');
    if (slash <= 0 || slash === value.length - 1) return { pack: value };
    return { org: value.slice(0, slash), pack: value.slice(slash + 1) };
}

/** What to say when an org was given and set aside. */
export function orgNotice(name: PackName): string | undefined {
    return name.org === undefined ? undefined : `notice: the organization "${name.org}" in "${name.org}/${name.pack}" is ignored: a policy-insights home is one local registry, so the pack is "${name.pack}".`;
}

/**
 * The version tag `ref` means for `pack`: `latest` and tags as they are; a number that is no
 * tag of the pack but is one of its registry version numbers becomes that version's tag (as
 * Pulumi's parsePolicyPackRef reads `name@3`). Anything else is returned unchanged, for the
 * caller's own "no such version" error to name.
 */
export function versionTagOf(catalog: Catalog, pack: string, ref: string): string {
    if (ref === 'latest' || ref === 'all') return ref;
    const versions = catalog.packs.filter((p) => p.name === pack);
    if (versions.some((p) => p.versionTag === ref)) return ref;
    if (/^\d+$/.test(ref)) return versions.find((p) => p.version === Number(ref))?.versionTag ?? ref;
    return ref;
}
