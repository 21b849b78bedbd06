/**
 * Which resource types the configured accounts can bring in, so `policy validate` and
 * `policy publish` can warn about a policy that would never see a resource here:
 * - an AWS account: every type of AWS_SERVICES (what the discoverers read), and every `aws-native:` type when it lists
 *   all types through Cloud Control (`--all-types`);
 * - a Kubernetes cluster: the kinds of KUBERNETES_KINDS;
 * - a Pulumi stack: any type at all, because a stack holds whatever its program made.
 */
import type { Account } from '../shared/model';
import { AWS_SERVICES } from './aws/awsServiceTypes';
import { KUBERNETES_KINDS, pulumiTypeOf } from './kubernetes/kubernetesKinds';

export interface DiscoverableTypes {
    /** Whether some configured account can discover resources of `type`. */
    covers(type: string): boolean;
    /** What the accounts read, for messages: "AWS accounts read 66 types, Kubernetes clusters 19 kinds". */
    summary: string;
}

const AWS_TYPES: ReadonlySet<string> = new Set(AWS_SERVICES.flatMap((d) => d.types));
const KUBERNETES_TYPES: ReadonlySet<string> = new Set(KUBERNETES_KINDS.map(pulumiTypeOf));
const CLOUD_CONTROL_PREFIX = 'aws-native:';

export function discoverableTypes(accounts: readonly Account[]): DiscoverableTypes {
    const aws = accounts.filter((a) => a.provider === 'aws');
    const cloudControl = aws.some((a) => a.settings.allTypes === true);
    const kubernetes = accounts.some((a) => a.provider === 'kubernetes');
    const stacks = accounts.some((a) => a.provider === 'pulumi-stack');
    const parts: string[] = [];
    if (aws.length) parts.push(`AWS accounts read ${AWS_TYPES.size} types${cloudControl ? ' and aws-native types through Cloud Control' : ''}`);
    if (kubernetes) parts.push(`Kubernetes clusters read ${KUBERNETES_TYPES.size} kinds`);
    return {
        covers: (type) =>
            stacks
            || (aws.length > 0 && AWS_TYPES.has(type))
            || (cloudControl && type.startsWith(CLOUD_CONTROL_PREFIX))
            || (kubernetes && KUBERNETES_TYPES.has(type)),
        summary: parts.join(', '),
    };
}
