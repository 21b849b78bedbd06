// CLI: node out/test/localk8s.js --fixture FILE [--port N] [--tls] [--kubeconfig OUT]
// Prints the URL on stdout once listening (and writes a kubeconfig for the fixture's users to OUT)
// and runs until killed.
import { resolve } from 'node:path';
import { startLocalK8s } from './server';

function usage(message: string): never {
    process.stderr.write(`localk8s: ${message}\nusage: node out/test/localk8s.js --fixture FILE [--port N] [--tls] [--kubeconfig OUT]\n`);
    process.exit(2);
}

async function main(argv: string[]): Promise<void> {
    let fixture: string | undefined;
    let port = 0;
    let tls = false;
    let kubeconfig: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => argv[++i] ?? usage(`${arg} needs a value`);
        if (arg === '--fixture') fixture = value();
        else if (arg === '--port') {
            port = Number(value());
            if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be a port number, got "${argv[i]}"`);
        } else if (arg === '--tls') tls = true;
        else if (arg === '--kubeconfig') kubeconfig = resolve(value());
        else usage(`unknown argument "${arg}"`);
    }
    if (!fixture) usage('--fixture FILE is required (e.g. test/fixtures/kubernetes/cluster.json)');
    const k8s = await startLocalK8s({ fixture, port, tls });
    if (kubeconfig) k8s.writeKubeconfig(kubeconfig);
    process.stdout.write(`${k8s.url}\n`);
    const stop = () => void k8s.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
});
