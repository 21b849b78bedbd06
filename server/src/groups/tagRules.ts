/**
 * Tag rules: Pulumi's "assign policy groups by stack and account tags". A rule is a list of
 * conditions (`key=value`, or `key` for any value) that must all hold; a group's rules are
 * alternatives. Membership is computed from the tags each time it is asked, so it follows tag
 * edits with nothing to keep in sync.
 */
import type { Account, TagCondition, TagRule } from '../shared/model';
import { GroupError } from './groupErrors';

const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;

/** `env=prod,team=web` (or `env`) -> a rule. @throws GroupError 'invalid' */
export function parseTagRule(text: string): TagRule {
    const conditions = text.split(',').map((part) => part.trim()).filter(Boolean).map(parseTagCondition);
    if (!conditions.length) throw new GroupError('invalid', `"${text}" is not a tag rule: write key=value conditions separated by commas, e.g. env=prod,team=web.`);
    return { conditions };
}

function parseTagCondition(text: string): TagCondition {
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).trim();
    if (!TAG_KEY.test(key)) throw new GroupError('invalid', `"${key}" is not a tag key (letters, digits and . _ : / @ + -, up to 128).`);
    return eq < 0 ? { key } : { key, value: text.slice(eq + 1).trim() };
}

/** A rule as the user writes it. */
export function formatTagRule(rule: TagRule): string {
    return rule.conditions.map((c) => (c.value === undefined ? c.key : `${c.key}=${c.value}`)).join(',');
}

/** `k=v` -> [k, v]. @throws GroupError 'invalid' */
export function parseTag(text: string): [string, string] {
    const eq = text.indexOf('=');
    const key = eq < 0 ? '' : text.slice(0, eq).trim();
    if (!TAG_KEY.test(key)) throw new GroupError('invalid', `"${text}" is not a tag: write key=value, e.g. env=prod.`);
    return [key, text.slice(eq + 1).trim()];
}

/**
 * The tags rules see: a stack's built-in `pulumi:project` (as the Pulumi Cloud sets it on every
 * stack, from its Pulumi.yaml), its own tags from the files beside its state, then the ones set
 * with `account tag`.
 */
export function accountTags(account: Pick<Account, 'tags' | 'project' | 'stackTags'>): Record<string, string> {
    return { ...(account.project !== undefined ? { 'pulumi:project': account.project } : {}), ...account.stackTags, ...account.tags };
}

/** The first of `rules` the account's tags meet, if any. */
export function matchingRule(rules: readonly TagRule[] | undefined, account: Pick<Account, 'tags' | 'project' | 'stackTags'>): TagRule | undefined {
    if (!rules?.length) return undefined;
    const tags = accountTags(account);
    return rules.find((rule) => rule.conditions.every((c) => Object.hasOwn(tags, c.key) && (c.value === undefined || tags[c.key] === c.value)));
}
