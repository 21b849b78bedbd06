import type { PolicyPackVersion } from '../shared/model';
import type { Store } from '../store';

/** Every stored pack version: packs by name, newest version first within a pack. */
export async function listPackVersions(store: Store): Promise<PolicyPackVersion[]> {
    const { packs } = await store.readCatalog();
    return [...packs].sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
}
