// The fixture file: the accounts, keys and resources the local AWS serves.
//
// Resources are written in the shape the AWS SDK v3 returns them (e.g. an EC2 `Instance`
// from @aws-sdk/client-ec2), with timestamps as ISO 8601 strings. Ids and ARNs that can be
// derived (ARNs, owner ids, queue URLs) may be left out; `loadFixture` fills them in.
import { readFileSync } from 'node:fs';

/** A loose SDK-shaped record: field names exactly as the SDK's output types spell them. */
export type Shape = Record<string, unknown>;

/** A whole fixture file. */
export interface LocalAwsFixture {
    accounts: FixtureAccount[];
}

/** An access key pair; without `userName` it is the account's root key. */
export interface FixtureAccessKey {
    accessKeyId: string;
    secretAccessKey: string;
    userName?: string;
}

/** One AWS account. */
export interface FixtureAccount {
    /** A label for people (e.g. `insights-aws-account`); the AWS id is `accountId`. */
    name: string;
    /** 12 digits. */
    accountId: string;
    accessKeys: FixtureAccessKey[];
    /** The enabled regions; a region not listed here answers with empty lists. */
    regions: string[];
    s3?: { buckets?: FixtureBucket[] };
    iam?: FixtureIam;
    /** CloudFront is global: `DistributionSummary` records plus `config` (GetDistributionConfig's `DistributionConfig`). */
    cloudfront?: { distributions?: Shape[] };
    /** Regional resources, by region name. */
    resources?: Record<string, FixtureRegionResources>;
}

/** A canned S3 ACL, expanded to grants on load. */
export type CannedAcl = 'private' | 'public-read' | 'public-read-write' | 'authenticated-read';

/** An S3 bucket and its sub-resources. Absent sub-resources answer with S3's "not found" error. */
export interface FixtureBucket {
    Name: string;
    /** Default us-east-1. */
    Region?: string;
    CreationDate?: string;
    /** A canned ACL, or `{ Grants }` as GetBucketAcl returns them. Default private. */
    Acl?: CannedAcl | { Grants: Shape[] };
    /** The policy document (object or JSON text). */
    Policy?: Shape | string;
    /** GetPublicAccessBlock's PublicAccessBlockConfiguration. */
    PublicAccessBlock?: Shape;
    /** GetBucketEncryption's ServerSideEncryptionConfiguration (`{ Rules: [...] }`). */
    Encryption?: Shape;
    /** GetBucketVersioning's output (`{ Status: 'Enabled' }`); absent = never enabled. */
    Versioning?: Shape;
    /** GetBucketLogging's LoggingEnabled (`{ TargetBucket, TargetPrefix }`). */
    Logging?: Shape;
    Tags?: { Key: string; Value: string }[];
    /** GetBucketOwnershipControls' OwnershipControls (`{ Rules: [{ ObjectOwnership }] }`). */
    OwnershipControls?: Shape;
    /** GetBucketLifecycleConfiguration's output (`{ Rules: [...] }`). */
    Lifecycle?: Shape;
    /** GetBucketCors' CORSRules. */
    Cors?: Shape[];
    /** GetBucketWebsite's output (`{ IndexDocument: { Suffix } }`). */
    Website?: Shape;
    /** GetBucketNotificationConfiguration's output; absent = nothing configured. */
    Notification?: Shape;
}

/** IAM is global: one set per account. */
export interface FixtureIam {
    /** IAM `User` records plus the user's keys and policies. */
    /** `LoginProfile`: the user has a console password (GetLoginProfile's LoginProfile fields; `{}` is enough). */
    users?: (Shape & { UserName: string; AccessKeys?: Shape[]; AttachedPolicies?: Shape[]; InlinePolicyNames?: string[]; LoginProfile?: Shape })[];
    /** IAM `Role` records; `trustedAccounts` (account ids) and `externalId` decide who may AssumeRole; `AttachedPolicies` as ListAttachedRolePolicies returns them. */
    roles?: (Shape & { RoleName: string; trustedAccounts?: string[]; externalId?: string; AttachedPolicies?: Shape[] })[];
    /** IAM `Group` records. */
    groups?: (Shape & { GroupName: string })[];
    /** IAM `InstanceProfile` records. */
    instanceProfiles?: (Shape & { InstanceProfileName: string })[];
    /** GetAccountPasswordPolicy's PasswordPolicy; absent = none set (NoSuchEntity). */
    passwordPolicy?: Shape;
    /** Customer managed policies: IAM `Policy` records plus `Document`, the default version's document. */
    policies?: (Shape & { PolicyName: string; Document: Shape })[];
    /** GetAccountSummary's SummaryMap overrides (AccountAccessKeysPresent, AccountMFAEnabled, ...). */
    summary?: Record<string, number>;
}

/** Regional resources of one account. */
export interface FixtureRegionResources {
    ec2?: {
        instances?: Shape[];
        securityGroups?: Shape[];
        volumes?: Shape[];
        vpcs?: Shape[];
        subnets?: Shape[];
        launchTemplates?: Shape[];
        addresses?: Shape[];
        internetGateways?: Shape[];
        natGateways?: Shape[];
        routeTables?: Shape[];
        networkAcls?: Shape[];
        flowLogs?: Shape[];
        keyPairs?: Shape[];
        snapshots?: Shape[];
        /** GetEbsEncryptionByDefault's answer for the region; absent = false. */
        ebsEncryptionByDefault?: boolean;
    };
    rds?: { dbInstances?: Shape[] };
    lambda?: { functions?: Shape[] };
    /** KMS `KeyMetadata` plus `rotationEnabled`; `AliasListEntry` records. */
    kms?: { keys?: Shape[]; aliases?: Shape[] };
    /** CloudTrail `Trail` plus `isLogging`. */
    cloudtrail?: { trails?: Shape[] };
    /** DynamoDB `TableDescription`. */
    dynamodb?: { tables?: Shape[] };
    /** SQS queues by name with their attributes. */
    sqs?: { queues?: { name: string; attributes?: Record<string, string> }[] };
    /** SNS topics by name with their attributes. */
    sns?: { topics?: { name: string; attributes?: Record<string, string> }[] };
    logs?: { logGroups?: Shape[]; metricFilters?: Shape[] };
    /** ELBv2 `LoadBalancer` plus `attributes` (DescribeLoadBalancerAttributes) and `listeners`; `TargetGroup`s. */
    elasticloadbalancing?: { loadBalancers?: Shape[]; targetGroups?: Shape[] };
    /** Auto Scaling `AutoScalingGroup` and `LaunchConfiguration` records. */
    autoscaling?: { groups?: Shape[]; launchConfigurations?: Shape[] };
    /** Redshift `Cluster`. */
    redshift?: { clusters?: Shape[] };
    /** ACM `CertificateDetail`. */
    acm?: { certificates?: Shape[] };
    /** EFS `FileSystemDescription`. */
    efs?: { fileSystems?: Shape[] };
    /** OpenSearch `DomainStatus` (EngineVersion `Elasticsearch_x` or `OpenSearch_x`). */
    es?: { domains?: Shape[] };
    /** API Gateway `RestApi` plus `stages` (GetStages' `Stage` records). */
    apigateway?: { restApis?: Shape[] };
    /** Classic ELB `LoadBalancerDescription` plus `attributes` (DescribeLoadBalancerAttributes' `LoadBalancerAttributes`). */
    elb?: { loadBalancers?: Shape[] };
    /** ECR `Repository`. */
    ecr?: { repositories?: Shape[] };
    /** EKS `Cluster` (DescribeCluster's). */
    eks?: { clusters?: Shape[] };
}

/** Reads and parses a fixture file, saying which file is wrong when it is. */
export function readFixtureFile(path: string): LocalAwsFixture {
    let text: string;
    try {
        text = readFileSync(path, 'utf8');
    } catch (error) {
        throw new Error(`localaws: cannot read fixture ${path}: ${(error as Error).message}`);
    }
    try {
        return JSON.parse(text) as LocalAwsFixture;
    } catch (error) {
        throw new Error(`localaws: fixture ${path} is not valid JSON: ${(error as Error).message}`);
    }
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** The grants S3 stores for a canned ACL, with the owner's FULL_CONTROL first. */
export function cannedAclGrants(acl: CannedAcl, ownerId: string): Shape[] {
    const owner = { Grantee: { Type: 'CanonicalUser', ID: ownerId }, Permission: 'FULL_CONTROL' };
    const group = (uri: string, permission: string) => ({ Grantee: { Type: 'Group', URI: uri }, Permission: permission });
    switch (acl) {
        case 'private':
            return [owner];
        case 'public-read':
            return [owner, group(ALL_USERS, 'READ')];
        case 'public-read-write':
            return [owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')];
        case 'authenticated-read':
            return [owner, group(AUTHENTICATED_USERS, 'READ')];
        default:
            throw new Error(`localaws: unknown canned ACL "${String(acl)}"; use private, public-read, public-read-write or authenticated-read`);
    }
}

/** The S3 canonical user id the local AWS gives an account (64 hex chars, as S3's are). */
export function canonicalUserId(accountId: string): string {
    return (accountId.padStart(12, '0') + 'c0ffee').repeat(4).slice(0, 64).replace(/[^0-9a-f]/g, 'a');
}

/** Checks the parts every request depends on; says which account and field is wrong. */
export function validateFixture(fixture: LocalAwsFixture, source = 'fixture'): void {
    if (!fixture || !Array.isArray(fixture.accounts) || fixture.accounts.length === 0) {
        throw new Error(`localaws: ${source} has no "accounts" array; see test/fixtures/aws/demo-account.json for the format`);
    }
    const keys = new Set<string>();
    const buckets = new Set<string>();
    fixture.accounts.forEach((account, i) => {
        const where = `${source}: accounts[${i}] (${account?.name ?? 'unnamed'})`;
        if (!account.name) throw new Error(`localaws: ${where} has no "name"`);
        if (!/^\d{12}$/.test(account.accountId ?? '')) throw new Error(`localaws: ${where} "accountId" must be 12 digits`);
        if (!Array.isArray(account.regions) || account.regions.length === 0) throw new Error(`localaws: ${where} needs "regions", e.g. ["us-east-1"]`);
        if (!Array.isArray(account.accessKeys)) throw new Error(`localaws: ${where} needs "accessKeys" [{ accessKeyId, secretAccessKey }]`);
        for (const key of account.accessKeys) {
            if (!key.accessKeyId || !key.secretAccessKey) throw new Error(`localaws: ${where} has an access key without accessKeyId or secretAccessKey`);
            if (keys.has(key.accessKeyId)) throw new Error(`localaws: ${where} reuses access key ${key.accessKeyId}; keys must be unique`);
            keys.add(key.accessKeyId);
        }
        for (const bucket of account.s3?.buckets ?? []) {
            if (!bucket.Name) throw new Error(`localaws: ${where} has a bucket without "Name"`);
            if (buckets.has(bucket.Name)) throw new Error(`localaws: ${where} bucket "${bucket.Name}" exists twice; bucket names are global`);
            buckets.add(bucket.Name);
        }
        for (const region of Object.keys(account.resources ?? {})) {
            if (!account.regions.includes(region)) throw new Error(`localaws: ${where} has resources in ${region}, which is not in its "regions"`);
        }
    });
}
