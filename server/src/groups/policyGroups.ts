import type { PolicyGroup } from '../model';
import type { Store } from '../store';

/** Every policy group, the default group first, then by name. */
export async function listPolicyGroups(store: Store): Promise<PolicyGroup[]> {
    const { groups } = await store.readCatalog();
    return [...groups].sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
}
