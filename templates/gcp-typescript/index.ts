import * as gcp from "@pulumi/gcp";
import { PolicyPack, validateResourceOfType } from "@pulumi/policy";

// IAM principals that stand for "anyone on the internet" and "anyone with a Google account".
const publicPrincipals = ["allUsers", "allAuthenticatedUsers"];

const remediationSteps =
    "Grant the role to specific users, groups or service accounts instead of allUsers/allAuthenticatedUsers, " +
    "and set `publicAccessPrevention: \"enforced\"` on the bucket.";
const url = "https://cloud.google.com/storage/docs/public-access-prevention";

new PolicyPack("${PACK_NAME}", {
    policies: [
        {
            name: "storage-bucket-no-public-members",
            description: "Cloud Storage buckets must not grant IAM roles to allUsers or allAuthenticatedUsers.",
            enforcementLevel: "mandatory",
            severity: "high",
            remediationSteps,
            url,
            validateResource: [
                validateResourceOfType(gcp.storage.BucketIAMMember, (member, args, reportViolation) => {
                    if (publicPrincipals.includes(member.member)) {
                        reportViolation(`'${args.name}' grants ${member.role} on bucket ${member.bucket} to ${member.member}.`);
                    }
                }),
                validateResourceOfType(gcp.storage.BucketIAMBinding, (binding, args, reportViolation) => {
                    for (const member of binding.members.filter((m) => publicPrincipals.includes(m))) {
                        reportViolation(`'${args.name}' grants ${binding.role} on bucket ${binding.bucket} to ${member}.`);
                    }
                }),
            ],
        },
        {
            name: "storage-bucket-uniform-access",
            description: "Cloud Storage buckets should use uniform bucket-level access instead of per-object ACLs.",
            enforcementLevel: "advisory",
            severity: "medium",
            remediationSteps: "Set `uniformBucketLevelAccess: true` on the bucket.",
            url: "https://cloud.google.com/storage/docs/uniform-bucket-level-access",
            validateResource: validateResourceOfType(gcp.storage.Bucket, (bucket, args, reportViolation) => {
                if (bucket.uniformBucketLevelAccess !== true) {
                    reportViolation(`Bucket '${args.name}' does not enable uniform bucket-level access.`);
                }
            }),
        },
    ],
});
