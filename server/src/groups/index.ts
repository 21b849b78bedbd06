/** Policy groups: membership, pack bindings, config validation and effective enforcement. */
export { GroupError, type ConfigError, type GroupErrorCode } from './groupErrors';
export {
    listPolicyGroups,
    listPolicyGroupViews,
    tagAccount,
    getGroup,
    findGroup,
    createGroup,
    removeGroup,
    editGroup,
    enablePack,
    disablePack,
    type CatalogChange,
    type CreateGroupArgs,
    type EditGroupArgs,
    type EnablePackArgs,
    type DisablePackArgs,
} from './policyGroups';
export { validatePackConfig, jsonPath } from './packConfigValidation';
export { checkPublishedConfig, errorsAtProperty, publishedVersion, readPackConfigFile, type PublishedConfigCheck } from './publishedPackConfig';
export { appliedBinding, bindingInfo, bindingsOfGroups, comparePrecedence, resolveAcrossGroups, effectiveBindings, resolveAppliedVersion, resolvePolicies, type EffectiveBinding, type OverriddenBinding, type UnresolvedBinding, type EntityBindings, type ResolvedPolicy } from './effectiveBindings';
export { entityOf, groupCovers, groupsOf, joinDefaultGroup, parentAccountName, type EvaluatedEntity } from './groupMembership';
export { groupViews, resolvedGroupPacks, type ResolvedGroupPack } from './groupPacks';
export { findStackAccount, gatePlan, type GatePlan, type GateSelection } from './groupGate';
export { orgNotice, parsePackName, versionTagOf, type PackName } from './packRefs';
export { formatTagRule, matchingRule, parseTag, parseTagRule } from './tagRules';
export { tagMembers } from './groupMembership';
