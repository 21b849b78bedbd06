/**
 * A second process writing to the store, standing in for the CLI in LSP tests:
 *   node storeWriter.js HOME ACCOUNT_NAME
 * (esbuild.mjs bundles every *.child.ts beside the tests.)
 */
import { Store } from '../../server/src/store';

async function main(): Promise<void> {
    const [home, name] = process.argv.slice(2);
    const store = await Store.open({ home });
    await store.updateCatalog((catalog) => {
        catalog.accounts.push({
            name,
            provider: 'aws',
            settings: { regions: ['us-west-2'] },
            children: [`${name}/us-west-2`],
            scanSchedule: 'none',
            createdAt: new Date().toISOString(),
        });
    });
    await store.close();
}

if (require.main === module) void main();
