/**
 * `policy-insights`: the command line over the same services the language server uses,
 * for CI and scripts. This is only the executable entry; see cli/runCli.ts.
 */
import { EXIT_USAGE } from './cli/command';
import { runCli } from './cli/runCli';
import { errorMessage } from './shared/errors';
import { applyProcessMemorySettings } from './processMemory';

// scans and evaluations run in this process, as in the language server: the same V8 settings
applyProcessMemorySettings();

// A write nobody awaited (a cache file) must not end the command with a raw trace after its work
// succeeded: it is reported, and the awaited paths report their own failures.
process.on('unhandledRejection', (reason) => {
    process.stderr.write(`policy-insights: warning: a background operation failed: ${errorMessage(reason)}\n`);
});

runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
}).then(
    (code) => {
        process.exitCode = code;
    },
    (err) => {
        process.stderr.write(`policy-insights: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = EXIT_USAGE;
    },
);
