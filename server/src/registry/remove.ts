/**
 * `policy rm <pack> <versionTag|all>`. A removed version's tag stays in `publishedTags`
 * (it can never be published again) and its number is never reused. A version a policy
 * group uses is refused: pinned by tag, or the pack's only remaining versions while a
 * group follows `latest`.
 */
import type { PolicyPackVersion } from '../shared/model';
import type { Store } from '../store';
import { removeArtifact } from './artifacts';
import { UserError } from '../userErrors';

export class RemoveError extends UserError {
    constructor(
        readonly code: 'not-found' | 'in-use',
        message: string,
    ) {
        super(message);
        this.name = 'RemoveError';
    }
}

/** Removes one version (or `all`) of a pack; returns what was removed. */
export async function removePackVersions(store: Store, packName: string, tagOrAll: string): Promise<PolicyPackVersion[]> {
    const removed = await store.updateCatalog((catalog) => {
        const versions = catalog.packs.filter((p) => p.name === packName);
        if (!versions.length) throw new RemoveError('not-found', `No published policy pack named "${packName}". See \`policy-insights policy ls\`.`);
        const targets = tagOrAll === 'all' ? versions : versions.filter((p) => p.versionTag === tagOrAll);
        if (!targets.length) {
            throw new RemoveError(
                'not-found',
                `${packName} has no version tagged ${tagOrAll}; published tags: ${versions.map((v) => v.versionTag).join(', ')}.`,
            );
        }
        const remaining = versions.filter((v) => !targets.includes(v));
        for (const group of catalog.groups) {
            for (const applied of group.appliedPolicyPacks) {
                if (applied.name !== packName) continue;
                const pinned = applied.versionTag !== 'latest' && targets.some((t) => t.versionTag === applied.versionTag);
                const followsLatest = applied.versionTag === 'latest' && remaining.length === 0;
                if (pinned || followsLatest) {
                    throw new RemoveError(
                        'in-use',
                        `${packName}@${pinned ? applied.versionTag : 'latest'} is used by policy group "${group.name}". ` +
                            `Disable it there first: \`policy-insights policy disable ${packName} --policy-group ${group.name}\`.`,
                    );
                }
            }
        }
        catalog.packs = catalog.packs.filter((p) => !targets.includes(p));
        return targets;
    });
    for (const pack of removed) removeArtifact(store, pack);
    return removed;
}
