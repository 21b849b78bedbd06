/**
 * Account names and their children. A parent account is `name`; its regional children are
 * `name/region`. Names never contain `/` so a child name splits unambiguously.
 */
import { UserError } from '../userErrors';

/** Bad input from the user (a name, a file, a profile): the CLI prints it and exits 2. */
export class AccountInputError extends UserError {}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/**
 * The `regionRegex` of every partition the AWS SDK knows (@aws-sdk/core's partitions): a new
 * region of a known partition is accepted, a made-up prefix (`zz-fake-9`) is not.
 */
const REGION_PATTERN = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-\w+-\d+|us-(?:gov|iso|isob|isof)-\w+-\d+|eu-isoe-\w+-\d+|eusc-de-\w+-\d+)$/;

/** Throws AccountInputError unless `name` can name an account. */
export function checkAccountName(name: string): void {
    if (name.includes('/')) {
        throw new AccountInputError(`account name "${name}" contains "/": "/" separates an account from its region (e.g. ${name.split('/')[0] || 'prod'}/us-west-2); choose a name without it`);
    }
    if (!NAME_PATTERN.test(name)) {
        throw new AccountInputError(`account name "${name}" is not valid: use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
}

/** Throws AccountInputError unless every region looks like an AWS region name. */
export function checkRegions(regions: string[]): void {
    if (regions.length === 0) throw new AccountInputError('no regions given: pass --regions r1,r2 (e.g. us-east-1,us-west-2)');
    for (const region of regions) {
        if (!REGION_PATTERN.test(region)) throw new AccountInputError(`"${region}" is not an AWS region name (e.g. us-east-1, eu-west-3)`);
    }
}

/** The child account name of `account` in `region`. */
export function childName(account: string, region: string): string {
    return `${account}/${region}`;
}

/** Splits `name` or `name/region`. */
export function parseAccountRef(ref: string): { account: string; region?: string } {
    const slash = ref.indexOf('/');
    if (slash < 0) return { account: ref };
    return { account: ref.slice(0, slash), region: ref.slice(slash + 1) || undefined };
}
