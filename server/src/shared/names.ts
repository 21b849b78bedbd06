/**
 * Names: the patterns a pack, account, policy group, tag key and region name must match, and
 * how an account's regional children are named (`name/region`). The server checks them and the
 * client's input boxes check them before asking, so both accept the same names; each pattern's
 * error text stays with its checker, which knows where the name came from.
 * test/unit/shared/vocabulary.test.ts fails on a copy of a pattern or of the `/` parsing elsewhere.
 */

/** What @pulumi/policy accepts as a pack name (its `packNameRE`, server.js; the pack exits at start-up otherwise). */
export const PACK_NAME_PATTERN = /^[a-zA-Z0-9-_.]{1,100}$/;

/**
 * An account name: 1-100 letters, digits, `.`, `_` or `-`, starting with a letter or digit. No `/`,
 * so a child name (`name/region`) splits unambiguously.
 */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A policy group name follows the account name's rule. */
export const GROUP_NAME_PATTERN = ACCOUNT_NAME_PATTERN;

/** A tag key of an account or stack, as tag rules match it: up to 128 letters, digits and `. _ : / @ + -`. */
export const TAG_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;

/**
 * The `regionRegex` of every partition the AWS SDK knows (@aws-sdk/core's partitions): a new
 * region of a known partition is accepted, a made-up prefix (`zz-fake-9`) is not.
 */
export const AWS_REGION_PATTERN = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-\w+-\d+|us-(?:gov|iso|isob|isof)-\w+-\d+|eu-isoe-\w+-\d+|eusc-de-\w+-\d+)$/;

/** Separates an account from its region in a child account's name. */
const CHILD_SEPARATOR = '/';

/** The child account name of `account` in `region`: `name/region`. */
export function childName(account: string, region: string): string {
    return `${account}${CHILD_SEPARATOR}${region}`;
}

/** Splits an account reference, `name` (the account, all its regions) or `name/region` (one child), at its first `/`. */
export function parseAccountRef(ref: string): { account: string; region?: string } {
    const slash = ref.indexOf(CHILD_SEPARATOR);
    if (slash < 0) return { account: ref };
    return { account: ref.slice(0, slash), region: ref.slice(slash + 1) || undefined };
}

/** The parent account name of an account or child (`demo/us-west-2` -> `demo`, `demo` -> `demo`). */
export function parentAccountName(ref: string): string {
    const slash = ref.indexOf(CHILD_SEPARATOR);
    return slash < 0 ? ref : ref.slice(0, slash);
}

/** Whether `ref` names a child account (`name/region`) rather than a parent. */
export function isChildName(ref: string): boolean {
    return ref.includes(CHILD_SEPARATOR);
}

/**
 * Whether the account reference `ref` covers `entity` (a shard, a violation's entityId, a group
 * member): a parent covers itself and all its regions, a child only itself. The CLI's --account,
 * the panel's account filter and removing an account all mean this.
 */
export function accountRefCovers(ref: string, entity: string): boolean {
    return entity === ref || parentAccountName(entity) === ref;
}
