// CLI: node out/test/localaws.js --fixture FILE [--port N] [--faults FILE]
// Prints the URL on stdout once listening and runs until killed.
import { readFileSync } from 'node:fs';
import { validateFaultRules } from './faults';
import { startLocalAws } from './server';

function usage(message: string): never {
    process.stderr.write(`localaws: ${message}\nusage: node out/test/localaws.js --fixture FILE [--port N] [--faults FILE]\n`);
    process.exit(2);
}

async function main(argv: string[]): Promise<void> {
    let fixture: string | undefined;
    let port = 0;
    let faultsFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => argv[++i] ?? usage(`${arg} needs a value`);
        if (arg === '--fixture') fixture = value();
        else if (arg === '--port') {
            port = Number(value());
            if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be a port number, got "${argv[i]}"`);
        } else if (arg === '--faults') faultsFile = value();
        else usage(`unknown argument "${arg}"`);
    }
    if (!fixture) usage('--fixture FILE is required (e.g. test/fixtures/aws/demo-account.json)');
    let faults;
    if (faultsFile) {
        try {
            faults = validateFaultRules(JSON.parse(readFileSync(faultsFile, 'utf8')), faultsFile);
        } catch (error) {
            usage((error as Error).message);
        }
    }
    const aws = await startLocalAws({ fixture, port, faults });
    process.stdout.write(`${aws.url}\n`);
    const stop = () => void aws.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
});
