#!/usr/bin/env node
// bench/stack-import: a 200 MB `pulumi stack export` imported with the CLI, each step a fresh
// process, against the CLI of a baseline commit built in the same run (default 65cad7c, before
// the streamed reader). Steps, per CLI, on a fresh store home:
//   add      account add --provider pulumi-stack --state FILE (reads and checks the whole state)
//   import   account scan --no-evaluate (the first import: an empty shard)
//   rescan   account scan --no-evaluate of the same export (every resource unchanged)
//   changed  account scan --no-evaluate after ~1% of resources changed and one was replaced
// Prints each step's peak RSS (the process's maxRSS, i.e. VmHWM, read as it exits) and wall
// time, ours and the baseline's, with the ratio. Goal: every step of ours <= 1 GB (exit 1 if not).
// Evaluation is left out (--no-evaluate): it is measured by bench/scale.mjs.
//
//   node bench/stack-import.mjs [--mb 200] [--base 65cad7c] [--skip-baseline] [--keep DIR]
//                               [--analyze]   also `analyze --file` the export with a one-policy pack
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeStackExport } from './lib/stackExport.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
};
const has = (name) => process.argv.includes(`--${name}`);
const targetMB = Number(option('mb', 200));
const baseCommit = option('base', '65cad7c');
const GOAL_MB = 1024;

const work = option('keep') ?? mkdtempSync(join(tmpdir(), 'pi-stack-import-'));
mkdirSync(work, { recursive: true });
// printed by every measured process as it exits: its own peak RSS (getrusage maxrss = VmHWM)
const peakHook = join(work, 'peak-rss.cjs');
writeFileSync(peakHook, "process.on('exit', () => require('node:fs').writeSync(2, `\\nPEAK_RSS_KB ${process.resourceUsage().maxRSS}\\n`));\n");

function ensureBuilt(dir) {
    if (!existsSync(join(dir, 'out/cli/cli.js'))) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    return join(dir, 'out/cli/cli.js');
}

/** The baseline commit's CLI, built in a detached worktree of this repository (kept in `work` for re-runs). */
function baselineCli() {
    const dir = join(work, `base-${baseCommit}`);
    if (!existsSync(dir)) {
        execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', dir, baseCommit], { stdio: 'ignore' });
        symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    }
    return ensureBuilt(dir);
}

/** Runs one CLI command in a fresh process; its wall time and peak RSS. */
function measure(cli, args) {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, ['--require', peakHook, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            const peak = /PEAK_RSS_KB (\d+)/.exec(err);
            const progressLines = err.split('\n').filter((l) => l.startsWith('reading the stack state')).length;
            if (code !== 0) reject(new Error(`${args.slice(0, 2).join(' ')} exited ${code}:\n${err.slice(-2000)}`));
            else resolve({ ms, peakMB: peak ? Number(peak[1]) / 1024 : NaN, out, progressLines });
        });
    });
}

async function importSteps(label, cli, exportFile, changedFile) {
    const home = join(work, `home-${label}`);
    rmSync(home, { recursive: true, force: true });
    const state = join(work, `state-${label}.json`);
    copyFileSync(exportFile, state);
    const steps = {};
    steps.add = await measure(cli, ['account', 'add', 'estate', '--provider', 'pulumi-stack', '--state', state, '--home', home]);
    steps.import = await measure(cli, ['account', 'scan', 'estate', '--no-evaluate', '--json', '--home', home]);
    steps.rescan = await measure(cli, ['account', 'scan', 'estate', '--no-evaluate', '--json', '--home', home]);
    copyFileSync(changedFile, state);
    steps.changed = await measure(cli, ['account', 'scan', 'estate', '--no-evaluate', '--json', '--home', home]);
    for (const [name, step] of Object.entries(steps)) {
        if (name === 'add') continue;
        const record = JSON.parse(step.out).record;
        step.delta = `+${record.added} ~${record.changed} -${record.removed} =${record.unchanged}${record.status === 'succeeded' ? '' : ` ${record.status}`}`;
    }
    rmSync(state, { force: true });
    return steps;
}

async function analyzeStep(label, cli, exportFile) {
    const pack = join(work, 'pack');
    if (!existsSync(pack)) {
        mkdirSync(pack);
        writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: 'bench-pack', version: '0.0.1', main: 'index.js', dependencies: { '@pulumi/policy': '*', '@pulumi/pulumi': '*' } }));
        symlinkSync(join(root, 'node_modules'), join(pack, 'node_modules'));
        writeFileSync(
            join(pack, 'index.js'),
            `const { PolicyPack } = require('@pulumi/policy');\n` +
                `new PolicyPack('bench-pack', { policies: [{ name: 'tagged', description: 'resources carry a Team tag', enforcementLevel: 'advisory', validateResource: (args, report) => { if (args.props.tags && !args.props.tags.Team) report('no Team tag'); } }] });\n`,
        );
    }
    return measure(cli, ['analyze', '--file', exportFile, '--policy-pack', pack, '--json', '--home', join(work, `home-analyze-${label}`)]).catch((error) => ({ ms: NaN, peakMB: NaN, error: error.message.split('\n')[0] }));
}

const mb = (n) => `${n.toFixed(0)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

const exportFile = join(work, 'export.json');
const changedFile = join(work, 'export-changed.json');
const load = [];
if (!existsSync(exportFile) || !existsSync(changedFile)) {
    const made = await writeStackExport(exportFile, { targetBytes: targetMB * 1024 * 1024 });
    console.log(`export: ${(made.bytes / 1024 / 1024).toFixed(0)} MB, ${made.resources} resources (${exportFile})`);
    const changed = await writeStackExport(changedFile, { services: made.services, changed: 0.01 });
    console.log(`changed export: ${(changed.bytes / 1024 / 1024).toFixed(0)} MB, ${changed.resources} resources (~1% changed, one replaced)`);
}
const oursCli = ensureBuilt(root);
load.push(loadavg()[0]);
const ours = await importSteps('ours', oursCli, exportFile, changedFile);
load.push(loadavg()[0]);
const base = has('skip-baseline') ? undefined : await importSteps('base', baselineCli(), exportFile, changedFile).catch((error) => ({ error: error.message.split('\n')[0] }));
load.push(loadavg()[0]);
if (has('analyze')) {
    ours.analyze = await analyzeStep('ours', oursCli, exportFile);
    if (base && !base.error) base.analyze = await analyzeStep('base', baselineCli(), exportFile);
}

console.log(`\nstack import of a ${targetMB} MB export, one fresh CLI process per step (${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' / ')})`);
console.log(`${'step'.padEnd(9)} ${'ours peak'.padStart(10)} ${'ours time'.padStart(10)}   ${`${baseCommit} peak`.padStart(13)} ${`${baseCommit} time`.padStart(13)}   ratio (peak, time)   delta`);
const missed = [];
for (const [name, step] of Object.entries(ours)) {
    const b = base?.[name];
    const ratio = b && !b.error && Number.isFinite(b.peakMB) ? `${(step.peakMB / b.peakMB).toFixed(2)}x, ${(step.ms / b.ms).toFixed(2)}x` : '-';
    console.log(`${name.padEnd(9)} ${mb(step.peakMB).padStart(10)} ${s(step.ms).padStart(10)}   ${(b?.peakMB ? mb(b.peakMB) : (b?.error ?? '-')).padStart(13)} ${(b?.ms ? s(b.ms) : '').padStart(13)}   ${ratio.padEnd(19)}  ${step.delta ?? step.error ?? ''}`);
    if (!(step.peakMB <= GOAL_MB)) missed.push(`${name}: ${mb(step.peakMB)} > ${GOAL_MB} MB`);
}
if (base?.error) console.log(`baseline failed: ${base.error}`);
console.log(`progress lines printed by the import (stderr not a terminal): ${ours.import.progressLines}`);
if (!option('keep')) {
    if (existsSync(join(work, `base-${baseCommit}`))) execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', join(work, `base-${baseCommit}`)], { stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
}
if (missed.length) {
    console.log(`GOAL MISSED (peak RSS <= ${GOAL_MB} MB): ${missed.join('; ')}`);
    process.exit(1);
}
console.log(`goal met: every step <= ${GOAL_MB} MB`);
