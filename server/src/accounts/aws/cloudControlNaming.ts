/**
 * How `@pulumi/aws-native` names what Cloud Control returns: the type token of a
 * CloudFormation type (`AWS::S3::Bucket` -> `aws-native:s3:Bucket`) and the lowerCamelCase
 * property names of its PascalCase CloudFormation properties (`KMSMasterKeyID` ->
 * `kmsMasterKeyId`). The rules are the provider's own (pulumi/pulumi-aws-native
 * provider/pkg/naming: ToSdkName, and CfnToSdk, which its reads apply to every key of the
 * model, nested ones included); the tests check them against tokens and property names of
 * the published @pulumi/aws-native package.
 */

/** ASCII capitals and digits: what an acronym is made of. */
function isAcronymChar(c: string | undefined): boolean {
    return c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

/** The first run of at least two acronym characters, as [start, end); the run's last capital starts the next word unless the run ends the name or is followed by a lone `s` (`ARNs`). */
function firstAcronym(s: string): [number, number] | undefined {
    let start = -1;
    for (let i = 0; i <= s.length; i++) {
        if (i < s.length && isAcronymChar(s[i])) {
            if (start < 0) start = i;
            continue;
        }
        if (start >= 0 && i - start >= 2) {
            const pluralS = s[i] === 's' && (i + 1 === s.length || isAcronymChar(s[i + 1]));
            return [start, i === s.length || pluralS ? i : i - 1];
        }
        start = -1;
    }
    return undefined;
}

/** Lowers every acronym but its first letter: `SSESpecification` -> `SseSpecification`, `VPC` -> `Vpc`. */
function lowerAcronyms(s: string): string {
    const run = firstAcronym(s);
    if (!run) return s;
    const [start, end] = run;
    return s.slice(0, start + 1) + s.slice(start + 1, end).toLowerCase() + lowerAcronyms(s.slice(end));
}

/** A CloudFormation property name as aws-native names it: `BucketName` -> `bucketName`, `KMSMasterKeyID` -> `kmsMasterKeyId`. */
export function toSdkName(name: string): string {
    if (name === '') return name;
    const lowered = lowerAcronyms(name);
    return lowered[0] >= 'A' && lowered[0] <= 'Z' ? lowered[0].toLowerCase() + lowered.slice(1) : lowered;
}

/** A Cloud Control model (parsed `Properties`) with every key renamed, nested objects and arrays included. */
export function cfnToSdk(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(cfnToSdk);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[toSdkName(key)] = cfnToSdk(item);
    return out;
}

/** Service names aws-native renames for its module (AWS::Config would clash with the provider's own `config`). */
const MODULE_RENAMES: Readonly<Record<string, string>> = { Config: 'configuration' };

/** `AWS::S3::Bucket` -> `aws-native:s3:Bucket`; `AWS::EC2::VPCCidrBlock` -> `aws-native:ec2:VpcCidrBlock`. Throws on a name that is not `AWS::<Service>::<Type>`. */
export function awsNativeToken(cfnType: string): string {
    const parts = cfnType.split('::');
    if (parts.length !== 3 || parts.some((p) => p === '')) throw new Error(`"${cfnType}" is not a CloudFormation resource type name (Organization::Service::Resource)`);
    const [, service, resource] = parts;
    const module = MODULE_RENAMES[service] ?? service.toLowerCase();
    const sdk = toSdkName(resource);
    return `aws-native:${module}:${sdk[0].toUpperCase()}${sdk.slice(1)}`;
}
