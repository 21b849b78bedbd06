import * as aws from "@pulumi/aws";
import { PolicyPack, validateResourceOfType } from "@pulumi/policy";

// Canned ACLs that let anyone on the internet read (or also write) the bucket's objects.
const publicAcls = ["public-read", "public-read-write"];

new PolicyPack("${PACK_NAME}", {
    policies: [
        {
            name: "s3-no-public-read",
            description: "Prohibits setting the public-read or public-read-write ACL on AWS S3 buckets.",
            enforcementLevel: "mandatory",
            severity: "high",
            remediationSteps: "Set the bucket's `acl` to `private` and grant access through IAM or a bucket policy instead.",
            url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl",
            validateResource: validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => {
                if (bucket.acl !== undefined && publicAcls.includes(bucket.acl)) {
                    reportViolation(
                        `S3 bucket '${args.name}' has the '${bucket.acl}' ACL, which makes its objects readable by anyone. ` +
                        "See https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl",
                    );
                }
            }),
        },
    ],
});
