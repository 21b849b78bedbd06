// Peak memory of a process and its descendants (pack hosts, the local AWS is not one),
// sampled from /proc while it runs: each process's VmHWM (its own peak RSS, kept by the
// kernel, so a sample taken any time after the peak sees it) and the tree's summed VmRSS.
// Linux only, as the bench machines are.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

function statusKb(pid, field) {
    try {
        const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) : undefined;
    } catch {
        return undefined; // gone meanwhile
    }
}

/** pid -> parent pid of every process now. */
function parents() {
    const out = new Map();
    for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        try {
            const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
            // the command name is in parentheses and may itself hold spaces or parentheses
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            out.set(Number(name), Number(fields[1]));
        } catch {
            // exited between readdir and read
        }
    }
    return out;
}

function commandOf(pid) {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(0, 3).join(' ');
    } catch {
        return '?';
    }
}

/**
 * Samples `rootPid` and its descendants every `intervalMs` until stop(), which returns the
 * root's peak, the largest descendant's peak, the largest summed RSS of the tree (kB), and
 * each process seen with its peak.
 */
export function watchTree(rootPid, intervalMs = 200) {
    const seen = new Map(); // pid -> { command, hwmKb }
    let treePeakKb = 0;
    const sample = () => {
        const ppid = parents();
        const tree = [rootPid];
        for (let i = 0; i < tree.length; i++) for (const [pid, parent] of ppid) if (parent === tree[i]) tree.push(pid);
        let sum = 0;
        for (const pid of tree) {
            const hwm = statusKb(pid, 'VmHWM');
            if (hwm === undefined) continue;
            sum += statusKb(pid, 'VmRSS') ?? 0;
            const known = seen.get(pid) ?? { command: commandOf(pid), hwmKb: 0 };
            known.hwmKb = Math.max(known.hwmKb, hwm);
            seen.set(pid, known);
        }
        treePeakKb = Math.max(treePeakKb, sum);
    };
    sample();
    const timer = setInterval(sample, intervalMs);
    return {
        /** One more sample now (call it just before the root exits, when you can). */
        sample,
        stop() {
            clearInterval(timer);
            const processes = [...seen].map(([pid, p]) => ({ pid, ...p }));
            const root = processes.find((p) => p.pid === rootPid)?.hwmKb ?? 0;
            const children = processes.filter((p) => p.pid !== rootPid);
            return { rootPeakKb: root, childPeakKb: Math.max(0, ...children.map((p) => p.hwmKb)), children: children.length, treePeakKb, processes };
        },
    };
}

/**
 * Runs `command args` to its end with its tree watched; resolves with its exit code, wall
 * time, stdout (unless `stdout` is a file descriptor to write to), stderr and the peaks.
 */
export function runMeasured(command, args, { env, stdout } = {}) {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(command, args, { env, stdio: ['ignore', stdout ?? 'pipe', 'pipe'] });
        const watch = watchTree(child.pid);
        let out = '';
        let err = '';
        child.stdout?.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (err += c));
        child.on('error', reject);
        child.on('exit', (code) => {
            const ms = performance.now() - started;
            resolve({ code, ms, stdout: out, stderr: err, ...watch.stop() });
        });
    });
}
