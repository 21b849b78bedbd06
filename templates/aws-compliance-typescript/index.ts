import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    PolicyPack,
    ReportViolation,
    remediateResourceOfType,
    validateResourceOfType,
} from "@pulumi/policy";

// ---------------------------------------------------------------------------------------
// Shared helpers

/** Canned ACLs that grant read (or write) access beyond the bucket owner's account. */
const publicCannedAcls = ["public-read", "public-read-write", "authenticated-read"];

/** CIDR ranges that mean "any address on the internet". */
const internetCidrs = ["0.0.0.0/0", "::/0"];

/** The fields of an IAM or bucket policy statement these policies read. */
interface PolicyStatement {
    Effect?: string;
    Principal?: unknown;
    Action?: string | string[];
    Resource?: string | string[];
    Condition?: unknown;
}

function toArray<T>(value: T | T[] | undefined): T[] {
    if (value === undefined) {
        return [];
    }
    return Array.isArray(value) ? value : [value];
}

/**
 * The statements of a policy document. The engine hands a policy either as the JSON string
 * the provider stores or as the object the program wrote; a document that does not parse
 * yields no statements (the provider rejects it at deployment anyway).
 */
function policyStatements(policy: unknown): PolicyStatement[] {
    let document: unknown = policy;
    if (typeof policy === "string") {
        try {
            document = JSON.parse(policy);
        } catch {
            return [];
        }
    }
    if (typeof document !== "object" || document === null) {
        return [];
    }
    const statements = (document as { Statement?: PolicyStatement | PolicyStatement[] }).Statement;
    return toArray(statements).filter((s): s is PolicyStatement => typeof s === "object" && s !== null);
}

function isEveryone(principal: unknown): boolean {
    if (principal === "*") {
        return true;
    }
    if (typeof principal === "object" && principal !== null) {
        const aws = (principal as { AWS?: string | string[] }).AWS;
        return toArray(aws).includes("*");
    }
    return false;
}

/** An ingress rule reduced to what matters for "is this port open to the internet". */
interface IngressRule {
    protocol: string;
    fromPort?: number;
    toPort?: number;
    cidrs: string[];
}

function opensPortToInternet(rule: IngressRule, port: number): boolean {
    const protocol = rule.protocol.toLowerCase();
    const allTraffic = protocol === "-1" || protocol === "all";
    if (!allTraffic && protocol !== "tcp" && protocol !== "6") {
        return false;
    }
    // For "all traffic" rules AWS ignores the port range (it reports 0-0 or -1).
    const coversPort = allTraffic || ((rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535));
    return coversPort && rule.cidrs.some((cidr) => internetCidrs.includes(cidr));
}

/**
 * Validations for every way a security group ingress rule can be declared: inline on
 * aws.ec2.SecurityGroup, as aws.ec2.SecurityGroupRule, or as aws.vpc.SecurityGroupIngressRule.
 */
function noInternetIngressOn(port: number, service: string) {
    const report = (reportViolation: ReportViolation, name: string, cidrs: string[]) =>
        reportViolation(
            `Security group rule '${name}' allows ${service} (port ${port}) from ${cidrs.filter((c) => internetCidrs.includes(c)).join(", ")}.`,
        );
    return [
        validateResourceOfType(aws.ec2.SecurityGroup, (group, args, reportViolation) => {
            for (const rule of group.ingress ?? []) {
                const cidrs = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])];
                if (opensPortToInternet({ protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs }, port)) {
                    report(reportViolation, args.name, cidrs);
                }
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, reportViolation) => {
            const cidrs = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])];
            if (rule.type === "ingress" && opensPortToInternet({ protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs }, port)) {
                report(reportViolation, args.name, cidrs);
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, reportViolation) => {
            const cidrs = [rule.cidrIpv4, rule.cidrIpv6].filter((c): c is string => c !== undefined);
            if (opensPortToInternet({ protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs }, port)) {
                report(reportViolation, args.name, cidrs);
            }
        }),
    ];
}

/** Validations that flag IAM policy documents allowing every action on every resource. */
function noAdminWildcard() {
    const check = (policy: unknown, name: string, reportViolation: ReportViolation) => {
        for (const statement of policyStatements(policy)) {
            const actions = toArray(statement.Action);
            const resources = toArray(statement.Resource);
            if (statement.Effect === "Allow" && (actions.includes("*") || actions.includes("*:*")) && resources.includes("*")) {
                reportViolation(`IAM policy '${name}' allows every action ("${actions.join(", ")}") on every resource ("*").`);
            }
        }
    };
    return [
        validateResourceOfType(aws.iam.Policy, (p, args, reportViolation) => check(p.policy, args.name, reportViolation)),
        validateResourceOfType(aws.iam.RolePolicy, (p, args, reportViolation) => check(p.policy, args.name, reportViolation)),
        validateResourceOfType(aws.iam.UserPolicy, (p, args, reportViolation) => check(p.policy, args.name, reportViolation)),
        validateResourceOfType(aws.iam.GroupPolicy, (p, args, reportViolation) => check(p.policy, args.name, reportViolation)),
    ];
}

/** Resource types whose `tags` the required-tags policy checks. */
const taggableResources: { new (...rest: any[]): pulumi.Resource }[] = [
    aws.s3.Bucket,
    aws.ec2.Instance,
    aws.ec2.SecurityGroup,
    aws.ec2.Vpc,
    aws.ebs.Volume,
    aws.rds.Instance,
    aws.lambda.Function,
    aws.dynamodb.Table,
    aws.kms.Key,
    aws.sns.Topic,
    aws.sqs.Queue,
    aws.cloudtrail.Trail,
    aws.cloudwatch.LogGroup,
    aws.iam.Role,
];

const defaultRequiredTags = ["Owner", "Environment"];

/** Runtimes AWS Lambda no longer supports for new functions or updates (as of 2026). */
const defaultDeprecatedRuntimes = [
    "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
    "nodejs18.x", "nodejs20.x",
    "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
    "ruby2.5", "ruby2.7", "ruby3.2",
    "java8", "go1.x", "provided",
    "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet5.0", "dotnet6", "dotnet7",
];

// ---------------------------------------------------------------------------------------
// The pack

new PolicyPack("${PACK_NAME}", {
    description: "AWS compliance checks: public access, encryption, network exposure, IAM, logging and tagging.",
    policies: [
        // --- S3 -----------------------------------------------------------------------
        {
            name: "s3-no-public-acl",
            description: "S3 buckets must not use a canned ACL that grants access to everyone or to any AWS account.",
            enforcementLevel: "remediate",
            severity: "critical",
            tags: ["s3", "public-access"],
            remediationSteps:
                "Set `acl` to `private` (with enforcementLevel remediate the pack does this on `pulumi up`), " +
                "enable S3 Block Public Access, and grant access through IAM or a bucket policy scoped to named principals.",
            url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl",
            validateResource: [
                validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => {
                    if (bucket.acl !== undefined && publicCannedAcls.includes(bucket.acl)) {
                        reportViolation(`S3 bucket '${args.name}' uses the '${bucket.acl}' ACL, which exposes its objects beyond your account.`);
                    }
                }),
                validateResourceOfType(aws.s3.BucketAcl, (bucketAcl, args, reportViolation) => {
                    if (bucketAcl.acl !== undefined && publicCannedAcls.includes(bucketAcl.acl)) {
                        reportViolation(`Bucket ACL '${args.name}' sets '${bucketAcl.acl}' on bucket ${bucketAcl.bucket}.`);
                    }
                }),
            ],
            remediateResource: remediateResourceOfType(aws.s3.Bucket, (bucket) => {
                if (bucket.acl !== undefined && publicCannedAcls.includes(bucket.acl)) {
                    bucket.acl = "private";
                    return bucket;
                }
                return undefined;
            }),
        },
        {
            name: "s3-no-public-policy",
            description: "S3 bucket policies must not allow access to any principal (\"*\") without a condition.",
            enforcementLevel: "mandatory",
            severity: "critical",
            tags: ["s3", "public-access"],
            remediationSteps:
                "Replace `\"Principal\": \"*\"` with the accounts or roles that need access, or add a Condition " +
                "(aws:SourceVpce, aws:PrincipalOrgID, aws:SourceArn) that limits who can use the statement.",
            url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
            validateResource: [
                validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => {
                    for (const statement of policyStatements(bucket.policy)) {
                        if (statement.Effect === "Allow" && isEveryone(statement.Principal) && statement.Condition === undefined) {
                            reportViolation(`S3 bucket '${args.name}' has a policy statement that allows ${toArray(statement.Action).join(", ")} to everyone.`);
                        }
                    }
                }),
                validateResourceOfType(aws.s3.BucketPolicy, (bucketPolicy, args, reportViolation) => {
                    for (const statement of policyStatements(bucketPolicy.policy)) {
                        if (statement.Effect === "Allow" && isEveryone(statement.Principal) && statement.Condition === undefined) {
                            reportViolation(`Bucket policy '${args.name}' allows ${toArray(statement.Action).join(", ")} on bucket ${bucketPolicy.bucket} to everyone.`);
                        }
                    }
                }),
            ],
        },
        {
            name: "s3-block-public-access",
            description: "S3 Block Public Access settings must have all four protections turned on.",
            enforcementLevel: "advisory",
            severity: "high",
            tags: ["s3", "public-access"],
            remediationSteps: "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
            url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
            validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (block, args, reportViolation) => {
                const settings = {
                    blockPublicAcls: block.blockPublicAcls,
                    blockPublicPolicy: block.blockPublicPolicy,
                    ignorePublicAcls: block.ignorePublicAcls,
                    restrictPublicBuckets: block.restrictPublicBuckets,
                };
                const off = Object.entries(settings).filter(([, value]) => value !== true).map(([key]) => key);
                if (off.length > 0) {
                    reportViolation(`Public access block '${args.name}' for bucket ${block.bucket} leaves ${off.join(", ")} off.`);
                }
            }),
        },
        {
            name: "s3-bucket-kms-encryption",
            description: "S3 buckets must encrypt objects by default with a KMS key (SSE-KMS), not only with S3-managed keys.",
            enforcementLevel: "advisory",
            severity: "medium",
            tags: ["s3", "encryption"],
            remediationSteps:
                "Configure default encryption with `sseAlgorithm: \"aws:kms\"` and a customer managed key " +
                "(serverSideEncryptionConfiguration or aws.s3.BucketServerSideEncryptionConfiguration).",
            url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
            validateResource: validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => {
                const algorithm = bucket.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault?.sseAlgorithm;
                if (algorithm !== "aws:kms" && algorithm !== "aws:kms:dsse") {
                    reportViolation(
                        `S3 bucket '${args.name}' encrypts with ${algorithm ?? "the S3 default (SSE-S3)"}; use aws:kms with a customer managed key.`,
                    );
                }
            }),
        },
        // --- Storage and databases ----------------------------------------------------
        {
            name: "ebs-volume-encrypted",
            description: "EBS volumes must be encrypted at rest.",
            enforcementLevel: "mandatory",
            severity: "high",
            tags: ["ebs", "encryption"],
            remediationSteps:
                "Set `encrypted: true` (optionally with kmsKeyId). An existing volume cannot be encrypted in place: " +
                "snapshot it, copy the snapshot with encryption, and create a new volume from the copy.",
            url: "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
            validateResource: validateResourceOfType(aws.ebs.Volume, (volume, args, reportViolation) => {
                if (volume.encrypted !== true) {
                    reportViolation(`EBS volume '${args.name}' is not encrypted.`);
                }
            }),
        },
        {
            name: "rds-storage-encrypted",
            description: "RDS database instances must encrypt their storage.",
            enforcementLevel: "mandatory",
            severity: "high",
            tags: ["rds", "encryption"],
            remediationSteps:
                "Set `storageEncrypted: true`. An existing instance cannot be encrypted in place: restore an encrypted copy of a snapshot.",
            url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
            validateResource: validateResourceOfType(aws.rds.Instance, (db, args, reportViolation) => {
                if (db.engine?.startsWith("aurora")) {
                    args.notApplicable("Aurora instances take their encryption from the cluster.");
                }
                if (db.storageEncrypted !== true) {
                    reportViolation(`RDS instance '${args.name}' does not encrypt its storage.`);
                }
            }),
        },
        {
            name: "rds-no-public-access",
            description: "RDS database instances must not be publicly accessible.",
            enforcementLevel: "mandatory",
            severity: "critical",
            tags: ["rds", "public-access"],
            remediationSteps: "Set `publiclyAccessible: false` and reach the database from inside the VPC (bastion, VPN, or SSM port forwarding).",
            url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding",
            validateResource: validateResourceOfType(aws.rds.Instance, (db, args, reportViolation) => {
                if (db.publiclyAccessible === true) {
                    reportViolation(`RDS instance '${args.name}' is publicly accessible.`);
                }
            }),
        },
        {
            name: "dynamodb-point-in-time-recovery",
            description: "DynamoDB tables should have point-in-time recovery enabled.",
            enforcementLevel: "advisory",
            severity: "medium",
            tags: ["dynamodb", "backup"],
            remediationSteps: "Set `pointInTimeRecovery: { enabled: true }` on the table.",
            url: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",
            validateResource: validateResourceOfType(aws.dynamodb.Table, (table, args, reportViolation) => {
                if (table.pointInTimeRecovery?.enabled !== true) {
                    reportViolation(`DynamoDB table '${args.name}' does not have point-in-time recovery enabled.`);
                }
            }),
        },
        // --- Network ------------------------------------------------------------------
        {
            name: "ec2-no-open-ssh",
            description: "Security groups must not allow SSH (TCP 22) from 0.0.0.0/0 or ::/0.",
            enforcementLevel: "mandatory",
            severity: "critical",
            tags: ["ec2", "network"],
            remediationSteps: "Restrict the rule's source to known CIDR ranges or security groups, or use SSM Session Manager instead of SSH.",
            url: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
            validateResource: noInternetIngressOn(22, "SSH"),
        },
        {
            name: "ec2-no-open-rdp",
            description: "Security groups must not allow RDP (TCP 3389) from 0.0.0.0/0 or ::/0.",
            enforcementLevel: "mandatory",
            severity: "critical",
            tags: ["ec2", "network"],
            remediationSteps: "Restrict the rule's source to known CIDR ranges or security groups, or use Fleet Manager / a bastion.",
            url: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
            validateResource: noInternetIngressOn(3389, "RDP"),
        },
        // --- IAM ----------------------------------------------------------------------
        {
            name: "iam-no-admin-wildcard",
            description: "IAM policies must not allow all actions (\"*\" or \"*:*\") on all resources.",
            enforcementLevel: "mandatory",
            severity: "critical",
            tags: ["iam", "least-privilege"],
            remediationSteps: "List the actions and resource ARNs the principal needs; use AWS managed job-function policies if a broad role is required.",
            url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
            validateResource: noAdminWildcard(),
        },
        {
            name: "iam-no-root-access-keys",
            description: "The root user must not have access keys.",
            enforcementLevel: "mandatory",
            severity: "critical",
            tags: ["iam", "root"],
            remediationSteps: "Delete the root user's access keys (Security credentials page of the root user) and use IAM roles instead.",
            url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",
            validateResource: validateResourceOfType(aws.iam.AccessKey, (key, args, reportViolation) => {
                // The IAM credential report names the root user "<root_account>"; an ARN form ends in ":root".
                if (key.user === "<root_account>" || key.user.endsWith(":root")) {
                    reportViolation(`Access key '${args.name}' belongs to the root user${key.status === "Inactive" ? " (inactive)" : ""}.`);
                }
            }),
        },
        // --- Logging ------------------------------------------------------------------
        {
            name: "cloudtrail-logging-enabled",
            description: "CloudTrail trails must not have logging turned off.",
            enforcementLevel: "mandatory",
            severity: "high",
            tags: ["cloudtrail", "logging"],
            remediationSteps: "Set `enableLogging: true` on the trail (or run `aws cloudtrail start-logging --name <trail>`).",
            url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-turning-off-logging.html",
            validateResource: validateResourceOfType(aws.cloudtrail.Trail, (trail, args, reportViolation) => {
                if (trail.enableLogging === false) {
                    reportViolation(`CloudTrail trail '${args.name}' has logging turned off.`);
                }
            }),
        },
        {
            name: "cloudtrail-log-file-validation",
            description: "CloudTrail trails should enable log file integrity validation.",
            enforcementLevel: "advisory",
            severity: "medium",
            tags: ["cloudtrail", "logging"],
            remediationSteps: "Set `enableLogFileValidation: true` on the trail.",
            url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
            validateResource: validateResourceOfType(aws.cloudtrail.Trail, (trail, args, reportViolation) => {
                if (trail.enableLogFileValidation !== true) {
                    reportViolation(`CloudTrail trail '${args.name}' does not validate log file integrity.`);
                }
            }),
        },
        {
            name: "cloudtrail-multi-region-trail",
            description: "An account (or stack) with AWS resources needs a multi-region CloudTrail trail that is logging.",
            enforcementLevel: "advisory",
            severity: "high",
            tags: ["cloudtrail", "logging"],
            remediationSteps: "Create an aws.cloudtrail.Trail with `isMultiRegionTrail: true` and logging on, delivering to a dedicated S3 bucket.",
            url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html",
            // A plain validateStack (not validateStackResourcesOfType): a stack with no trail at all is the case to flag.
            validateStack: (args, reportViolation) => {
                if (!args.resources.some((r) => r.type.startsWith("aws:"))) {
                    args.notApplicable("The stack has no AWS resources.");
                }
                const trails = args.resources
                    .map((r) => r.asType(aws.cloudtrail.Trail))
                    .filter((trail): trail is NonNullable<typeof trail> => trail !== undefined);
                if (!trails.some((trail) => trail.isMultiRegionTrail === true && trail.enableLogging !== false)) {
                    reportViolation(
                        trails.length === 0
                            ? "No CloudTrail trail records API activity for these resources."
                            : `None of the ${trails.length} CloudTrail trail(s) is both multi-region and logging.`,
                    );
                }
            },
        },
        {
            name: "cloudwatch-log-group-retention",
            description: "CloudWatch log groups should set a retention period instead of keeping logs forever.",
            enforcementLevel: "advisory",
            severity: "low",
            tags: ["cloudwatch", "logging", "cost"],
            remediationSteps: "Set `retentionInDays` (for example 90 or 365) on the log group.",
            url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
            validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, reportViolation) => {
                if (group.retentionInDays === undefined || group.retentionInDays === 0) {
                    reportViolation(`Log group '${args.name}' keeps its logs forever.`);
                }
            }),
        },
        // --- Keys, compute and hygiene --------------------------------------------------
        {
            name: "kms-key-rotation-enabled",
            description: "Symmetric customer managed KMS keys should rotate their key material automatically.",
            enforcementLevel: "advisory",
            severity: "medium",
            tags: ["kms", "encryption"],
            remediationSteps: "Set `enableKeyRotation: true` on the key.",
            url: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
            validateResource: validateResourceOfType(aws.kms.Key, (key, args, reportViolation) => {
                const symmetric = key.customerMasterKeySpec === undefined || key.customerMasterKeySpec === "SYMMETRIC_DEFAULT";
                if (!symmetric) {
                    args.notApplicable(`Automatic rotation is not available for ${key.customerMasterKeySpec} keys.`);
                }
                if (key.enableKeyRotation !== true) {
                    reportViolation(`KMS key '${args.name}' does not rotate its key material.`);
                }
            }),
        },
        {
            name: "lambda-no-deprecated-runtime",
            description: "Lambda functions must not use a runtime that AWS has deprecated.",
            enforcementLevel: "advisory",
            severity: "high",
            tags: ["lambda", "patching"],
            remediationSteps: "Move the function to a supported runtime (for example nodejs22.x or python3.13) and redeploy.",
            url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated",
            configSchema: {
                properties: {
                    deprecatedRuntimes: {
                        type: "array",
                        items: { type: "string" },
                        default: defaultDeprecatedRuntimes,
                        description: "Runtime identifiers to flag; extend it as AWS deprecates more runtimes.",
                    },
                },
            },
            validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, reportViolation) => {
                const { deprecatedRuntimes = defaultDeprecatedRuntimes } = args.getConfig<{ deprecatedRuntimes?: string[] }>();
                if (fn.runtime !== undefined && deprecatedRuntimes.includes(fn.runtime)) {
                    reportViolation(`Lambda function '${args.name}' uses the deprecated runtime ${fn.runtime}.`);
                }
            }),
        },
        {
            name: "required-tags",
            description: "Taggable AWS resources must carry the required tags (by default Owner and Environment).",
            enforcementLevel: "advisory",
            severity: "low",
            tags: ["tagging", "governance"],
            remediationSteps: "Add the missing tags to the resource, or set them for the whole stack through the provider's defaultTags.",
            url: "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
            configSchema: {
                properties: {
                    requiredTags: {
                        type: "array",
                        items: { type: "string", minLength: 1 },
                        minItems: 1,
                        uniqueItems: true,
                        default: defaultRequiredTags,
                        description: "Tag keys every taggable resource must have, with a non-empty value.",
                    },
                },
            },
            validateResource: (args, reportViolation) => {
                if (!taggableResources.some((resourceClass) => args.isType(resourceClass))) {
                    return;
                }
                const { requiredTags = defaultRequiredTags } = args.getConfig<{ requiredTags?: string[] }>();
                const tags: Record<string, unknown> = args.props.tags ?? {};
                const missing = requiredTags.filter((key) => typeof tags[key] !== "string" || tags[key] === "");
                if (missing.length > 0) {
                    reportViolation(`'${args.name}' (${args.type}) is missing the tag(s) ${missing.join(", ")}.`);
                }
            },
        },
    ],
});
