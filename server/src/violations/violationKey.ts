import { createHash } from 'node:crypto';

/** What identifies a violation across evaluations: (account or stack, pack, policy, resource URN). */
export interface ViolationKey {
    entityId: string;
    policyPack: string;
    policyName: string;
    /** Empty for a stack policy's finding about the whole account or stack. */
    resourceURN: string;
}

/** A stable id: the same key gives the same id in every process and every run. */
export function violationId(key: ViolationKey): string {
    return createHash('sha256').update(JSON.stringify([key.entityId, key.policyPack, key.policyName, key.resourceURN])).digest('hex').slice(0, 24);
}
