/** Remediation records for the export and panel tests, built as evaluation builds them. */
import type { Violation } from '../../../server/src/shared/model';
import { remediationMessage, remediationOf } from '../../../server/src/violations/remediation';

/** `v` as a remediation record: level remediate, the change in words (message) and as paths. */
export function remediationRecord(v: Violation): Violation {
    const remediation = remediationOf({ acl: 'public-read', tags: { team: 'core' } }, { acl: 'private', tags: { team: 'core' } })!;
    return { ...v, id: 'rem1', policyName: 'bucket-acl-private', level: 'remediate', message: remediationMessage(remediation), remediation };
}
