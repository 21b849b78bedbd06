/** Helpers the regional discoverers share: one resource, every page of a list, one discoverer. */
import { compact } from './awsShapeConversions';
import { handOver, type DiscoveredResource, type DiscoveryContext, type ServiceDiscoverer } from './discoveryTypes';

/** A regional resource; `region` joins its properties as @pulumi/aws v7 has it on every regional type. */
export function regionalResource(type: string, key: string, region: string, properties: Record<string, unknown>, name = key, id = key): DiscoveredResource {
    return { type, key, name, id, region, properties: compact({ ...properties, region }) };
}

/** Items mapped and handed over at a time: a whole 1,000-item page mapped at once outlived young-generation collections and was promoted. */
const HANDOVER_BATCH = 100;

/** Every item of every page, mapped and handed over as each page comes (see handOver): what was not handed over. */
export async function mapPages<P, T>(ctx: DiscoveryContext, pages: AsyncIterable<P>, items: (page: P) => T[] | undefined, map: (item: T) => DiscoveredResource): Promise<DiscoveredResource[]> {
    const out: DiscoveredResource[] = [];
    for await (const page of pages) {
        const list = items(page) ?? [];
        for (let i = 0; i < list.length; i += HANDOVER_BATCH) for (const r of handOver(ctx, list.slice(i, i + HANDOVER_BATCH).map(map))) out.push(r);
    }
    return out;
}

/** Every item of every page. */
export async function allItems<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
    const out: T[] = [];
    for await (const page of pages) for (const item of items(page) ?? []) out.push(item);
    return out;
}

/** A service read once per region, producing `types`. */
export function regionalDiscoverer(service: ServiceDiscoverer['service'], types: readonly string[], discover: (ctx: DiscoveryContext) => Promise<DiscoveredResource[]>): ServiceDiscoverer {
    return { service, scope: 'regional', types, discover };
}
