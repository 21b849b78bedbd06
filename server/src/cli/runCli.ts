/**
 * Dispatch of the `policy-insights` command line: finds the command in the tree, parses
 * its arguments, maps errors to the exit codes of the contract (0 ok, 1 findings the user
 * must act on, 2 bad usage or input): a user error (../userErrors.ts) carries its code and
 * is printed without a stack; anything else is a bug, printed with its stack by cli.ts. Command families live in *Commands.ts beside this
 * file. Tests call runCli directly; server/src/cli.ts is the executable entry.
 */
import { version } from '../../../package.json';
import { commandLine, EXIT_FINDINGS, EXIT_OK, EXIT_STORE_RECOVERED, EXIT_USAGE, parseCommandArgs, UsageError, type CommandContext, type CommandSpec } from './command';
import { resolveHome } from '../store/home';
import { terminalSafe } from './terminalText';
import { userFailure } from '../userErrors';

/**
 * The command tree. Loaded on first use, so `--version` reads no table; each table imports
 * only what its help and argument checks need, and its commands load their services with
 * `await import()` when they run (esbuild.mjs splits the CLI into chunks along those lines).
 */
export async function loadCommands(): Promise<CommandSpec[]> {
    const [policy, group, account, violation] = await Promise.all([
        import('./policyCommands'),
        import('./groupCommands'),
        import('./accountCommands'),
        import('./violationCommands'),
    ]);
    return [...policy.policyCommands, ...group.groupCommands, ...account.accountCommands, ...violation.violationCommands];
}

/** The leaf whose path is the longest prefix of argv's words. */
function findCommand(commands: CommandSpec[], words: string[]): CommandSpec | undefined {
    let best: CommandSpec | undefined;
    for (const spec of commands) {
        if (spec.path.length <= words.length && spec.path.every((w, i) => words[i] === w)) {
            if (!best || spec.path.length > best.path.length) best = spec;
        }
    }
    return best;
}

function helpText(commands: CommandSpec[], prefix: string[] = []): string {
    const matching = commands.filter((c) => prefix.every((w, i) => c.path[i] === w));
    const lines = [
        `policy-insights ${version}: the Pulumi Insights policy workflow on your machine`,
        '',
        'Usage:',
        ...matching.map((c) => `  ${commandLine(c)}\n      ${c.summary}${c.run ? '' : ' (not available yet)'}`),
        '',
        'Every command takes --home DIR (default: $POLICY_INSIGHTS_HOME, else ~/.policy-insights).',
        'Exit codes: 0 ok, 1 findings or validation errors to act on, 2 bad usage or bad input,',
        '1 also when a policy pack failed to load, crashed or timed out during the evaluation a command ran;',
        '3 done, but the store recovered a damaged or missing file (named on stderr).',
    ];
    return lines.join('\n');
}

export interface CliIO {
    out: (line: string) => void;
    err: (line: string) => void;
    env: NodeJS.ProcessEnv;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
    if (argv[0] === '--version' || argv[0] === '-v') {
        io.out(version);
        return EXIT_OK;
    }
    const commands = await loadCommands();
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
        io.out(helpText(commands));
        return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    // `--home DIR` may come before the command words: move it after them.
    const leading: string[] = [];
    while (argv[0] === '--home' || argv[0]?.startsWith('--home=')) {
        leading.push(...argv.slice(0, argv[0] === '--home' ? 2 : 1));
        argv = argv.slice(argv[0] === '--home' ? 2 : 1);
    }
    if (argv.length === 0) {
        io.err('policy-insights: a command is missing after --home.');
        io.err(helpText(commands));
        return EXIT_USAGE;
    }
    const firstOption = argv.findIndex((a) => a.startsWith('-'));
    const words = firstOption < 0 ? argv : argv.slice(0, firstOption);
    const spec = findCommand(commands, words);
    const asksHelp = argv.some((a) => a === '--help' || a === '-h');
    // help at every level: `--home X --help`, `policy --help`, `policy group --help`
    if (!spec && asksHelp && commands.some((c) => words.every((w, i) => c.path[i] === w))) {
        io.out(helpText(commands, words));
        return EXIT_OK;
    }
    if (!spec) {
        const known = commands.some((c) => c.path[0] === words[0]);
        io.err(`policy-insights: unknown command '${words.join(' ')}'`);
        io.err(helpText(commands, known ? [words[0]] : []));
        return EXIT_USAGE;
    }
    argv = [...argv, ...leading];
    try {
        const { values, positionals } = parseCommandArgs(spec, argv.slice(spec.path.length));
        if (values.help) {
            io.out(`${commandLine(spec)}\n  ${spec.summary}`);
            return EXIT_OK;
        }
        if (!spec.run) {
            io.err(`policy-insights ${spec.path.join(' ')}: not implemented yet in this version of Policy Insights.`);
            return EXIT_USAGE;
        }
        if (typeof values.home === 'string' && values.home.trim() === '') {
            // an empty --home is a mistake (an unset variable in a script), not a request for the default home
            throw new UsageError("--home needs a folder; it was given ''. Leave --home out to use $POLICY_INSIGHTS_HOME or ~/.policy-insights.");
        }
        const home = resolveHome({ flag: values.home as string | undefined, env: io.env });
        // human output shows control characters from stored data as escapes; machine output stays exact
        const machine = values.json === true || values.format === 'json' || values.format === 'sarif';
        const ctx: CommandContext = { home, values, positionals, out: machine ? io.out : (line) => io.out(terminalSafe(line)), err: (line) => io.err(terminalSafe(line)) };
        const code = await spec.run(ctx);
        if (code !== EXIT_OK) return code;
        // a pack that did not run leaves violations undetermined: something to act on
        if (ctx.packTrouble) return EXIT_FINDINGS;
        return ctx.storeTrouble ? EXIT_STORE_RECOVERED : code;
    } catch (err) {
        const failure = userFailure(err);
        if (!failure) throw err;
        io.err(terminalSafe(`policy-insights ${spec.path.join(' ')}: ${failure.message}`));
        if (err instanceof UsageError) io.err(`usage: ${commandLine(spec)}`);
        return failure.exitCode;
    }
}
