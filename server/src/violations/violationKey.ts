import { createHash } from 'node:crypto';

/** What identifies a violation across evaluations: (account or stack, pack, policy, resource URN, and what kind of finding). */
export interface ViolationKey {
    entityId: string;
    policyPack: string;
    policyName: string;
    /** Empty for a stack policy's finding about the whole account or stack. */
    resourceURN: string;
    /** 'remediation' for a remediation record; absent for a violation (ids of violations stay what they always were). */
    finding?: 'remediation';
}

/** A stable id: the same key gives the same id in every process and every run. */
export function violationId(key: ViolationKey): string {
    const parts = [key.entityId, key.policyPack, key.policyName, key.resourceURN];
    if (key.finding) parts.push(key.finding);
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}
