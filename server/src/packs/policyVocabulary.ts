/**
 * What the fields and literals of a CrossGuard pack mean, in words for completions and
 * hovers. The closed sets themselves (enforcement levels, severities) come from model.ts so
 * there is one list in the project.
 */
import { ENFORCEMENT_LEVELS, SEVERITIES, type EnforcementLevel, type Severity } from '../shared/model';

export { ENFORCEMENT_LEVELS, SEVERITIES };

export interface FieldDoc {
    name: string;
    /** Shown as the completion's detail and the hover's first line. */
    signature: string;
    /** Markdown. */
    documentation: string;
    /** Snippet inserted by completion (LSP snippet syntax); the field name alone when absent. */
    snippet?: string;
}

const levelChoice = `\${1|${ENFORCEMENT_LEVELS.join(',')}|}`;
const severityChoice = `\${1|${SEVERITIES.join(',')}|}`;
const levelUnion = ENFORCEMENT_LEVELS.map((l) => `"${l}"`).join(' | ');
const severityUnion = SEVERITIES.map((s) => `"${s}"`).join(' | ');

export const POLICY_FIELDS: readonly FieldDoc[] = [
    {
        name: 'name',
        signature: 'name: string',
        documentation: 'Identifies the policy. Must be unique within the pack; `all` is reserved (policy group config uses it for "every policy"). Violations, group config and the `--policy` filter refer to the policy by this name.',
        snippet: 'name: "$1",',
    },
    {
        name: 'description',
        signature: 'description: string',
        documentation: 'One sentence saying what the policy requires, e.g. "S3 buckets must not be publicly readable." A violation shows it when `reportViolation` gives no message of its own.',
        snippet: 'description: "$1",',
    },
    {
        name: 'enforcementLevel',
        signature: `enforcementLevel?: ${levelUnion}`,
        documentation: 'What a violation of this policy does. Overrides the pack\'s level; a policy group can override both. Default: the pack\'s level, which defaults to `advisory`.',
        snippet: `enforcementLevel: "${levelChoice}",`,
    },
    {
        name: 'severity',
        signature: `severity?: ${severityUnion}`,
        documentation: 'How serious a violation is. Shown with each violation and usable as a filter; it does not change enforcement.',
        snippet: `severity: "${severityChoice}",`,
    },
    {
        name: 'validateResource',
        signature: 'validateResource?: ResourceValidation | ResourceValidation[]',
        documentation: 'Checks one resource at a time. Usually `validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => { ... })`, which skips resources of other types. Call `reportViolation(message)` for each problem found.',
        snippet: 'validateResource: validateResourceOfType($1, (resource, args, reportViolation) => {\n\t$0\n}),',
    },
    {
        name: 'validateStack',
        signature: 'validateStack?: StackValidation',
        documentation: 'Checks all the resources of a stack (or account) together, for rules that relate resources to each other. `args.resources` holds every resource; `reportViolation(message, urn)` names the offending one.',
        snippet: 'validateStack: (args, reportViolation) => {\n\t$0\n},',
    },
    {
        name: 'remediateResource',
        signature: 'remediateResource?: ResourceRemediation',
        documentation: 'Fixes a resource instead of only flagging it: return the corrected properties. Runs before validations, and only when the effective enforcement level is `remediate`.',
        snippet: 'remediateResource: remediateResourceOfType($1, (resource, args) => {\n\t$0\n}),',
    },
    {
        name: 'configSchema',
        signature: 'configSchema?: { properties: { [key: string]: JSONSchema }; required?: string[] }',
        documentation: 'JSON schema of the settings a policy group may pass to this policy; read them with `args.getConfig()`. `enforcementLevel` is reserved and may not appear in `properties` or `required`.',
        snippet: 'configSchema: {\n\tproperties: {\n\t\t$1\n\t},\n},',
    },
    {
        name: 'displayName',
        signature: 'displayName?: string',
        documentation: 'A readable title for the policy, shown instead of its `name` where space allows.',
        snippet: 'displayName: "$1",',
    },
    {
        name: 'remediationSteps',
        signature: 'remediationSteps?: string',
        documentation: 'What a user should do to fix a violation, shown with each violation of this policy.',
        snippet: 'remediationSteps: "$1",',
    },
    {
        name: 'url',
        signature: 'url?: string',
        documentation: 'A link to more about the policy (a runbook, a benchmark control), shown with its violations.',
        snippet: 'url: "$1",',
    },
    {
        name: 'framework',
        signature: 'framework?: { name: string; version: string; reference: string; specification: string }',
        documentation: 'The compliance framework control this policy implements, e.g. `{ name: "cis", version: "1.4.0", reference: "2.1.1", specification: "..." }`.',
        snippet: 'framework: {\n\tname: "$1",\n\tversion: "$2",\n\treference: "$3",\n\tspecification: "$4",\n},',
    },
    {
        name: 'tags',
        signature: 'tags?: string[]',
        documentation: 'Labels for grouping and filtering policies, e.g. `["s3", "encryption"]`.',
        snippet: 'tags: [$1],',
    },
];

export const PACK_FIELDS: readonly FieldDoc[] = [
    {
        name: 'policies',
        signature: 'policies: Policies',
        documentation: 'The policies in this pack. Each needs a unique `name`, a `description` and at least one of `validateResource`, `validateStack` or `remediateResource`.',
        snippet: 'policies: [\n\t$0\n],',
    },
    {
        name: 'enforcementLevel',
        signature: `enforcementLevel?: ${levelUnion}`,
        documentation: 'Default level for every policy in the pack that sets none itself. Default: `advisory`.',
        snippet: `enforcementLevel: "${levelChoice}",`,
    },
    { name: 'description', signature: 'description?: string', documentation: 'What the pack checks. Overrides `description` in PulumiPolicy.yaml.', snippet: 'description: "$1",' },
    { name: 'displayName', signature: 'displayName?: string', documentation: 'A readable title for the pack.', snippet: 'displayName: "$1",' },
    { name: 'readme', signature: 'readme?: string', documentation: 'Longer Markdown about the pack, shown with its published versions.', snippet: 'readme: "$1",' },
    { name: 'provider', signature: 'provider?: string', documentation: 'The cloud or platform the pack is for, e.g. `aws`.', snippet: 'provider: "$1",' },
    { name: 'tags', signature: 'tags?: string[]', documentation: 'Labels for the pack.', snippet: 'tags: [$1],' },
    { name: 'repository', signature: 'repository?: string', documentation: 'URL of the repository the pack is developed in.', snippet: 'repository: "$1",' },
];

export const ENFORCEMENT_LEVEL_DOCS: Readonly<Record<EnforcementLevel, string>> = {
    advisory: 'Reports the violation as a warning; deployments and scans go on. The default.',
    mandatory: 'Reports the violation as an error: `pulumi preview`/`up` fail, and an account scan records it as a mandatory violation.',
    remediate: 'Runs the policy\'s `remediateResource` to fix the resource before it is validated; violations that remain are reported like `mandatory` ones.',
    disabled: 'The policy does not run at all.',
};

export const SEVERITY_DOCS: Readonly<Record<Severity, string>> = {
    low: 'Minor: worth fixing when convenient.',
    medium: 'Should be fixed in the normal course of work.',
    high: 'Serious: fix soon.',
    critical: 'Severe risk: fix immediately.',
};

export function isEnforcementLevel(value: string): value is EnforcementLevel {
    return (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

export function isSeverity(value: string): value is Severity {
    return (SEVERITIES as readonly string[]).includes(value);
}
