/**
 * Credentials for an AWS account from its stored settings: a profile (including SSO and
 * credential_process profiles), a role to assume on top, or the default chain (env,
 * shared files, container and instance metadata). Only names and ARNs are stored; the
 * secrets stay with the provider and are never written or logged.
 */
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AccountSettings } from '../../shared/model';
import { errorMessage } from '../../shared/errors';

/** What the credential chain needs to know: the stored settings plus where STS is. */
export interface CredentialSettings extends Pick<AccountSettings, 'profile' | 'roleArn' | 'externalId' | 'endpoint'> {
    /** The region STS calls are made in (the account's first region). */
    region: string;
}

/** Refresh this long before expiry so a long scan never signs with expired keys. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/**
 * A provider shared by every client of one scan: resolves once (one AssumeRole, one SSO
 * exchange) and again only when the credentials near their expiry.
 */
export function credentialProvider(settings: CredentialSettings): AwsCredentialIdentityProvider {
    const stsConfig = { region: settings.region, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) };
    let base: AwsCredentialIdentityProvider = settings.profile
        ? fromIni({ profile: settings.profile, ignoreCache: true, clientConfig: stsConfig })
        : fromNodeProviderChain({ clientConfig: stsConfig });
    if (settings.roleArn) {
        base = fromTemporaryCredentials({
            masterCredentials: base,
            params: { RoleArn: settings.roleArn, RoleSessionName: 'policy-insights-scan', ...(settings.externalId ? { ExternalId: settings.externalId } : {}) },
            clientConfig: stsConfig,
        });
    }
    let pending: Promise<AwsCredentialIdentity> | undefined;
    return async () => {
        if (pending) {
            const current = await pending.catch(() => undefined);
            if (current && (!current.expiration || current.expiration.getTime() - Date.now() > EXPIRY_MARGIN_MS)) return current;
        }
        pending = base();
        return pending;
    };
}

/** A credential failure as one line that names the profile or role, with what to do next. */
export function describeCredentialError(error: unknown, settings: CredentialSettings): string {
    const message = errorMessage(error);
    const source = settings.roleArn
        ? `role ${settings.roleArn}${settings.profile ? ` (assumed with profile "${settings.profile}")` : ''}`
        : settings.profile
          ? `profile "${settings.profile}"`
          : 'the default credential chain (environment, ~/.aws files, instance metadata)';
    return `cannot get AWS credentials from ${source}: ${message.split('\n')[0]}`;
}
