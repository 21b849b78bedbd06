/**
 * Checks of account names and regions as the user gives them. A parent account is `name`; its
 * regional children are `name/region` (the patterns and the parser: shared/names.ts).
 */
import { ACCOUNT_NAME_PATTERN, AWS_REGION_PATTERN, childName, isChildName, parentAccountName } from '../shared/names';
import { UserError } from '../userErrors';

/** Bad input from the user (a name, a file, a profile): the CLI prints it and exits 2. */
export class AccountInputError extends UserError {}

/** Throws AccountInputError unless `name` can name an account. */
export function checkAccountName(name: string): void {
    if (isChildName(name)) {
        throw new AccountInputError(`account name "${name}" contains "/": "/" separates an account from its region (e.g. ${childName(parentAccountName(name) || 'prod', 'us-west-2')}); choose a name without it`);
    }
    if (!ACCOUNT_NAME_PATTERN.test(name)) {
        throw new AccountInputError(`account name "${name}" is not valid: use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
}

/** Throws AccountInputError unless every region looks like an AWS region name. */
export function checkRegions(regions: string[]): void {
    if (regions.length === 0) throw new AccountInputError('no regions given: pass --regions r1,r2 (e.g. us-east-1,us-west-2)');
    for (const region of regions) {
        if (!AWS_REGION_PATTERN.test(region)) throw new AccountInputError(`"${region}" is not an AWS region name (e.g. us-east-1, eu-west-3)`);
    }
}
