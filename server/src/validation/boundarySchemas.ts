/**
 * The one set of schemas for what crosses a boundary into the engine: the params of every
 * custom LSP request (a client, or anything that can write to the server's pipe, sends
 * them) and every item read from a store file (another process, a pack or an editor may
 * have written it). The types in model.ts, protocol.ts and panelProtocol.ts say what the
 * code assumes; these schemas check it at the door, so a wrong type is refused with a
 * message naming the field instead of surfacing later as a TypeError deep in a service.
 *
 * Objects allow fields the schema does not name (a newer client, a newer store): only the
 * fields the code reads are checked.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ACCOUNT_PROVIDERS, ENFORCEMENT_LEVELS, ENTITY_TYPES, GROUP_MODES, POLICY_TYPES, PRIORITIES, SCAN_SCHEDULES, SEVERITIES, TRIAGE_STATUSES, VIOLATION_STATUSES } from '../shared/model';
import { EXPORT_FORMATS, ExportViolationsRequest, PanelQueryRequest, SuppressViolationRequest, TriageViolationRequest, ViolationDetailRequest } from '../shared/panelProtocol';
import {
    AddAwsAccountRequest,
    AddKubernetesAccountRequest,
    AddStackAccountRequest,
    AnalyzeStateFileRequest,
    CreateGroupRequest,
    DisablePackRequest,
    EditGroupRequest,
    EnablePackRequest,
    EvaluateNowRequest,
    GetResourceRequest,
    GetServerStatusRequest,
    InstallDependenciesRequest,
    ListAccountsRequest,
    ListAwsProfilesRequest,
    ListGroupsRequest,
    ListKubeContextsRequest,
    ListPacksRequest,
    ListResourceTypesRequest,
    ListResourcesRequest,
    ListTemplatesRequest,
    ListViolationsRequest,
    ViolationGroupsRequest,
    PublishPackRequest,
    RemoveAccountRequest,
    RemoveGroupRequest,
    RemovePackVersionRequest,
    ResourceDiagnosticsRequest,
    RunPolicyRequest,
    ScaffoldPackRequest,
    ScanAccountRequest,
    SetScanScheduleRequest,
    ValidatePackConfigRequest,
} from '../shared/protocol';

type Schema = Record<string, unknown>;

/**
 * A date or date-time as the user gives one: YYYY-MM-DD, optionally with a time. A
 * four-digit year only: Date.parse also takes `+099999-01-01`, which is no one's intent.
 */
export const DATE_INPUT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
/** The longest assignee kept: a name or an e-mail address, not a document. */
export const ASSIGNEE_MAX_LENGTH = 256;

const str: Schema = { type: 'string' };
/** A name the code uses as a key: never empty, never huge. */
const name: Schema = { type: 'string', minLength: 1, maxLength: 1024 };
const bool: Schema = { type: 'boolean' };
const int: Schema = { type: 'integer' };
const strings: Schema = { type: 'array', items: str };
const names: Schema = { type: 'array', items: name };
const oneOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
const object = (required: Record<string, Schema>, optional: Record<string, Schema> = {}): Schema => ({
    type: 'object',
    required: Object.keys(required),
    properties: { ...required, ...optional },
});

const level = oneOf(ENFORCEMENT_LEVELS);
const severity = oneOf(SEVERITIES);
const status = oneOf(VIOLATION_STATUSES);
const schedule = oneOf(SCAN_SCHEDULES);
const entityType = oneOf(ENTITY_TYPES);
const groupMode = oneOf(GROUP_MODES);
const configValue: Schema = { anyOf: [level, { type: 'object', properties: { enforcementLevel: level } }] };
const packConfig: Schema = { type: 'object', additionalProperties: configValue };
const serviceError = object({ service: str, code: str, message: str }, { region: str });

const date: Schema = { type: 'string', pattern: DATE_INPUT.source };
const panelFilter = object(
    {},
    {
        policyPacks: strings,
        policies: strings,
        projects: strings,
        levels: { type: 'array', items: level },
        accounts: strings,
        resources: strings,
        types: strings,
        statuses: { type: 'array', items: status },
        severities: { type: 'array', items: severity },
        since: date,
        until: date,
        resourceContains: str,
        typeContains: str,
        search: str,
        includeSuppressed: bool,
    },
);
const panelSort = object({ column: str, direction: oneOf(['asc', 'desc']) });
const violationGrouping = oneOf(['policy', 'account', 'type', 'severity']);

/**
 * Params of every custom request, by method. `null` marks a request without params. A
 * method missing here cannot be registered (see validatedConnection.ts): a new request
 * gets its schema the day it is added.
 */
export const REQUEST_SCHEMAS: Record<string, Schema | null> = {
    [GetServerStatusRequest.method]: null,
    [ListPacksRequest.method]: null,
    [ListGroupsRequest.method]: null,
    [ListAccountsRequest.method]: null,
    [ListTemplatesRequest.method]: null,
    [ListAwsProfilesRequest.method]: null,
    [ScaffoldPackRequest.method]: object({ template: name, dir: name }, { force: bool }),
    [InstallDependenciesRequest.method]: object({ dir: name }),
    [PublishPackRequest.method]: object({ packDir: name }),
    [RemovePackVersionRequest.method]: object({ pack: name, versionTag: name }),
    [AddAwsAccountRequest.method]: object(
        { name, regions: names },
        { profile: str, roleArn: str, externalId: str, endpoint: str, scanSchedule: schedule },
    ),
    [AddStackAccountRequest.method]: object({ name, stateFile: name }, { scanSchedule: schedule }),
    [ListKubeContextsRequest.method]: object({}, { kubeconfig: name }),
    [AddKubernetesAccountRequest.method]: object({ name, kubeconfig: name }, { context: name, namespaces: names, scanSchedule: schedule }),
    [RemoveAccountRequest.method]: object({ name }),
    [SetScanScheduleRequest.method]: object({ name, schedule }),
    [ScanAccountRequest.method]: object({ name }),
    [ListResourceTypesRequest.method]: object({ account: name }),
    [ListResourcesRequest.method]: object({ account: name }, { type: str, search: str, limit: { type: 'integer', minimum: 0 } }),
    [GetResourceRequest.method]: object({ account: name, urn: name }),
    [ResourceDiagnosticsRequest.method]: object({ account: name, urn: name, text: str }),
    [CreateGroupRequest.method]: object({ name }, { entityType, mode: groupMode }),
    [EditGroupRequest.method]: object({ name }, { addAccounts: names, removeAccounts: names, addStacks: names, removeStacks: names, mode: groupMode }),
    [RemoveGroupRequest.method]: object({ name }),
    [EnablePackRequest.method]: object({ group: name, pack: name, versionTag: name }, { config: packConfig }),
    [DisablePackRequest.method]: object({ group: name, pack: name }),
    [EvaluateNowRequest.method]: object({}, { accounts: names }),
    // the config itself is what is being checked: any JSON value, validated by the handler with validate-config's rules
    [ValidatePackConfigRequest.method]: object({ pack: name, versionTag: name }, { config: {}, file: name, only: object({ policy: name, property: name }) }),
    [AnalyzeStateFileRequest.method]: object({}, { stateFile: name, groups: names, stack: name }),
    [RunPolicyRequest.method]: object({ packDir: name, policyName: name, account: name }),
    [PanelQueryRequest.method]: object(
        { filter: panelFilter, offset: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 0, maximum: 100_000 } },
        { sort: panelSort, groupBy: oneOf(['none', 'policy', 'account', 'type', 'severity']), withAggregates: bool },
    ),
    [ListViolationsRequest.method]: object(
        {},
        {
            filter: panelFilter,
            sort: panelSort,
            group: object({ groupBy: violationGrouping, key: str }),
            offset: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 0 },
        },
    ),
    [ViolationGroupsRequest.method]: object({ groupBy: violationGrouping }, { filter: panelFilter }),
    [ViolationDetailRequest.method]: object({ id: name }),
    [TriageViolationRequest.method]: object(
        { id: name },
        {
            status: oneOf(TRIAGE_STATUSES),
            priority: { anyOf: [oneOf(PRIORITIES), { type: 'null' }] },
            assignedTo: { anyOf: [{ type: 'string', maxLength: ASSIGNEE_MAX_LENGTH }, { type: 'null' }] },
        },
    ),
    // removing a suppression needs no reason nor date (the page's button sends `until: ''`)
    [SuppressViolationRequest.method]: { anyOf: [object({ id: name, remove: { const: true } }, { reason: str, until: str }), object({ id: name, reason: str, until: date }, { remove: { const: false } })] },
    [ExportViolationsRequest.method]: object({ filter: panelFilter, format: oneOf(EXPORT_FORMATS) }, { sort: panelSort }),
};

/** Every kind of item a store file holds, by the list it is in. */
export const STORED_ITEM_SCHEMAS = {
    pack: object({
        name,
        version: int,
        versionTag: name,
        publishedAt: str,
        digest: str,
        policies: { type: 'array', items: object({ name, enforcementLevel: level }, { description: str, severity, policyType: oneOf(POLICY_TYPES) }) },
    }),
    group: object({
        name,
        isDefault: bool,
        entityType,
        mode: groupMode,
        appliedPolicyPacks: { type: 'array', items: object({ name, versionTag: name }, { version: int, config: packConfig }) },
        accounts: names,
        stacks: names,
    }),
    account: object(
        {
            name,
            provider: oneOf(ACCOUNT_PROVIDERS),
            settings: object({}, { profile: str, roleArn: str, externalId: str, regions: names, endpoint: str, stateFile: str, kubeconfig: str, context: str, namespaces: names, server: str }),
            children: names,
            scanSchedule: schedule,
        },
        {
            scanStatus: object({ status: str, resourceCount: int, startedAt: str, errors: { type: 'array', items: serviceError } }),
            createdAt: str,
        },
    ),
    resource: object(
        { account: name, urn: name, type: name, name: str, properties: { type: 'object' }, hash: str },
        { sourcePosition: object({ uri: str, line: int }, { column: int }) },
    ),
    violation: object({
        id: name,
        entityId: name,
        policyPack: name,
        policyName: name,
        resourceURN: str,
        resourceType: str,
        resourceName: str,
        message: str,
        level,
        status,
        observedAt: str,
        lastSeenAt: str,
    }),
    scan: object({ startedAt: str, status: str, added: int, changed: int, removed: int, unchanged: int, errors: { type: 'array', items: serviceError } }),
} satisfies Record<string, Schema>;

export type StoredItemKind = keyof typeof STORED_ITEM_SCHEMAS;

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<Schema, ValidateFunction>();

function validatorOf(schema: Schema): ValidateFunction {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    return validate;
}

/** One ajv error as "`params.name` must be a string" (the field first, in the words a user reads). */
function describe(error: ErrorObject, root: string): string {
    const field = `${root}${error.instancePath.replace(/\//g, '.').replace(/\.(\d+)(?=\.|$)/g, '[$1]')}`;
    if (error.keyword === 'required') return `${field}.${(error.params as { missingProperty: string }).missingProperty} is required`;
    if (error.keyword === 'enum') return `${field} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    return `${field} ${error.message ?? 'is not valid'}`;
}

/** What is wrong with `value` against `schema` (null when nothing is), naming the field under `root`. */
export function problemOf(schema: Schema, value: unknown, root: string): string | null {
    const validate = validatorOf(schema);
    if (validate(value)) return null;
    return describe(validate.errors![0]!, root);
}

/**
 * What is wrong with the params of a `method` request, or null. Throws for a method without
 * a schema: a request nobody described is not served.
 */
export function requestParamsProblem(method: string, params: unknown): string | null {
    if (!(method in REQUEST_SCHEMAS)) throw new Error(`No params schema for the request ${method}: add one to REQUEST_SCHEMAS in validation/boundarySchemas.ts.`);
    const schema = REQUEST_SCHEMAS[method];
    // requests without params: whatever the client put there is ignored, as the handler does
    if (schema === null) return null;
    // JSON-RPC lets a client omit params: fine where no field is required (the handler defaults them)
    if ((params === undefined || params === null) && (schema.required as string[]).length === 0) return null;
    return problemOf(schema, params, 'params');
}

/** What is wrong with a stored item of `kind`, or null; `where` names it (e.g. `packs[3]`). */
export function storedItemProblem(kind: StoredItemKind, item: unknown, where: string): string | null {
    return problemOf(STORED_ITEM_SCHEMAS[kind], item, where);
}
