/** Helpers the regional discoverers share: one resource, every page of a list, one discoverer. */
import { compact } from './awsShapeConversions';
import type { DiscoveredResource, DiscoveryContext, ServiceDiscoverer } from './discoveryTypes';

/** A regional resource; `region` joins its properties as @pulumi/aws v7 has it on every regional type. */
export function regionalResource(type: string, key: string, region: string, properties: Record<string, unknown>, name = key, id = key): DiscoveredResource {
    return { type, key, name, id, region, properties: compact({ ...properties, region }) };
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
