/**
 * Deterministic synthetic violations (and their resources) for the panel's tests and
 * bench/webview.mjs: several accounts, packs, policies, types, levels, severities and
 * statuses, spread over the last 120 days.
 */
import { PRIORITIES, type EnforcementLevel, type Resource, type Severity, type Violation, type ViolationStatus } from '../../server/src/shared/model';
import { seededRandom as random } from './seededRandom';

export { seededRandom as random } from './seededRandom';

const ACCOUNTS = ['prod/us-east-1', 'prod/us-west-2', 'dev/eu-west-1', 'payments-stack'];
const POLICIES: { pack: string; tag: string; name: string; severity?: Severity; level: EnforcementLevel }[] = [
    { pack: 'aws-typescript', tag: '0.2.0', name: 's3-no-public-read', severity: 'critical', level: 'mandatory' },
    { pack: 'aws-compliance', tag: '1.4.0', name: 'ec2-instance-no-public-ip', severity: 'high', level: 'mandatory' },
    { pack: 'aws-compliance', tag: '1.4.0', name: 'rds-storage-encrypted', severity: 'high', level: 'advisory' },
    { pack: 'aws-compliance', tag: '1.4.0', name: 'iam-no-wildcard-actions', severity: 'medium', level: 'remediate' },
    { pack: 'aws-compliance', tag: '1.4.0', name: 'lambda-runtime-supported', severity: 'low', level: 'advisory' },
    { pack: 'tagging', tag: '3.0.1', name: 'required-tags', level: 'advisory' },
];
const TYPES: Record<string, string> = {
    's3-no-public-read': 'aws:s3/bucket:Bucket',
    'ec2-instance-no-public-ip': 'aws:ec2/instance:Instance',
    'rds-storage-encrypted': 'aws:rds/instance:Instance',
    'iam-no-wildcard-actions': 'aws:iam/policy:Policy',
    'lambda-runtime-supported': 'aws:lambda/function:Function',
    'required-tags': 'aws:sqs/queue:Queue',
};
const STATUSES: ViolationStatus[] = ['open', 'open', 'open', 'open', 'in_progress', 'by_design', 'ignored', 'fixed', 'fixed'];
const DAY = 86_400_000;

export interface SyntheticOptions {
    seed?: number;
    /** "now" of the data set; dates fall in the 120 days before it. */
    now?: Date;
    /** Also make a Resource per violation (with properties and, for stacks, a source position). */
    withResources?: boolean;
}

export interface SyntheticData {
    violations: Violation[];
    resources: Resource[];
}

export function syntheticViolations(count: number, options: SyntheticOptions = {}): SyntheticData {
    const rnd = random(options.seed ?? 7);
    const now = (options.now ?? new Date('2026-11-28T12:00:00Z')).getTime();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const violations: Violation[] = [];
    const resources: Resource[] = [];
    for (let i = 0; i < count; i++) {
        const account = pick(ACCOUNTS);
        const policy = pick(POLICIES);
        const type = TYPES[policy.name];
        const isStack = account === 'payments-stack';
        const name = `${type.split(':')[1].split('/')[0]}-${i.toString(36)}`;
        const urn = isStack ? `urn:pulumi:prod::payments::${type}::${name}` : `urn:pulumi:${account}::insights::${type}::${name}`;
        const observed = now - Math.floor(rnd() * 120 * DAY);
        const lastSeen = Math.min(now, observed + Math.floor(rnd() * 30 * DAY));
        const status = pick(STATUSES);
        const v: Violation = {
            id: `v${i.toString(16).padStart(8, '0')}`,
            entityType: isStack ? 'stack' : 'insights-account',
            entityId: account,
            policyPack: policy.pack,
            policyPackTag: policy.tag,
            policyName: policy.name,
            policyGroupName: rnd() < 0.8 ? 'default-policy-group' : 'strict',
            resourceURN: urn,
            resourceType: type,
            resourceName: name,
            message: `${policy.name}: ${name} violates the policy (acl is public-read, tags missing)`,
            level: rnd() < 0.9 ? policy.level : 'advisory',
            kind: 'audit',
            observedAt: new Date(observed).toISOString(),
            lastSeenAt: new Date(lastSeen).toISOString(),
            status,
        };
        if (policy.severity) v.severity = policy.severity;
        if (isStack) v.project = 'payments';
        if (status === 'fixed') v.resolvedAt = new Date(Math.min(now, lastSeen + Math.floor(rnd() * 5 * DAY))).toISOString();
        if (rnd() < 0.2) v.priority = pick(PRIORITIES);
        if (rnd() < 0.1) v.assignedTo = pick(['ana@example.com', 'bo@example.com']);
        if (rnd() < 0.03) v.suppression = { reason: 'accepted risk', until: new Date(now + (rnd() < 0.5 ? 10 : -10) * DAY).toISOString() };
        violations.push(v);
        if (options.withResources) {
            const resource: Resource = {
                account,
                region: isStack ? undefined : account.split('/')[1],
                urn,
                type,
                name,
                id: `id-${i}`,
                properties: { acl: 'public-read', tags: { team: 'core' }, arn: `arn:aws:${type}:${name}` },
                hash: `h${i}`,
            };
            if (isStack) {
                resource.project = 'payments';
                resource.stack = 'prod';
                resource.sourcePosition = { uri: 'project:///index.ts', line: 10 + (i % 50), column: 5 };
            }
            resources.push(resource);
        }
    }
    return { violations, resources };
}
