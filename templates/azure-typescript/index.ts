import * as storage from "@pulumi/azure-native/storage";
import { PolicyPack, validateResourceOfType } from "@pulumi/policy";

new PolicyPack("${PACK_NAME}", {
    policies: [
        {
            name: "storage-account-no-public-blob-access",
            description: "Storage accounts must not allow anonymous public read access to blobs.",
            enforcementLevel: "mandatory",
            severity: "high",
            remediationSteps: "Set `allowBlobPublicAccess: false` on the storage account and serve public content through a CDN or SAS tokens.",
            url: "https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent",
            validateResource: validateResourceOfType(storage.StorageAccount, (account, args, reportViolation) => {
                if (account.allowBlobPublicAccess === true) {
                    reportViolation(`Storage account '${args.name}' allows anonymous public access to its blobs.`);
                }
            }),
        },
        {
            name: "storage-account-min-tls-1-2",
            description: "Storage accounts must reject requests that use TLS older than 1.2.",
            enforcementLevel: "advisory",
            severity: "medium",
            remediationSteps: "Set `minimumTlsVersion: \"TLS1_2\"` on the storage account.",
            url: "https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version",
            validateResource: validateResourceOfType(storage.StorageAccount, (account, args, reportViolation) => {
                // An unset minimum means the service default, which older API versions put at TLS 1.0.
                if (account.minimumTlsVersion !== "TLS1_2" && account.minimumTlsVersion !== "TLS1_3") {
                    reportViolation(
                        `Storage account '${args.name}' accepts TLS ${account.minimumTlsVersion ?? "(service default)"}; require TLS1_2 or later.`,
                    );
                }
            }),
        },
    ],
});
