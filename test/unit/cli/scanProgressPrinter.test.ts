/** How `account scan` prints progress on stderr: tasks line by line; a stack import rewritten in place on a terminal, by quarters in a log. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScanProgressPrinter } from '../../../server/src/cli/scanProgressPrinter';
import { STACK_PROGRESS_SERVICE } from '../../../server/src/shared/scanProgress';

const stack = (done: number) => ({ service: STACK_PROGRESS_SERVICE, done, total: 200 });

describe('scan progress on stderr', () => {
    it('prints a stack import by quarters when stderr is not a terminal', () => {
        const lines: string[] = [];
        const printer = new ScanProgressPrinter({ err: (l) => lines.push(l) }, { isTTY: false, write: () => assert.fail('no raw writes') });
        for (let mb = 2; mb <= 200; mb += 2) printer.show(stack(mb));
        printer.close();
        assert.deepEqual(lines, [
            'reading the stack state: 2.0 of 200.0 MiB (1%)',
            'reading the stack state: 50.0 of 200.0 MiB (25%)',
            'reading the stack state: 100.0 of 200.0 MiB (50%)',
            'reading the stack state: 150.0 of 200.0 MiB (75%)',
            'reading the stack state: 200.0 of 200.0 MiB (100%)',
        ]);
    });

    it('rewrites one line on a terminal and ends it when the scan ends', () => {
        let written = '';
        const printer = new ScanProgressPrinter({ err: () => assert.fail('no lines') }, { isTTY: true, write: (t) => (written += t) });
        printer.show(stack(20.5));
        printer.show(stack(200));
        printer.close();
        printer.close();
        assert.equal(written, '\rreading the stack state: 20.5 of 200.0 MiB (10%)\rreading the stack state: 200.0 of 200.0 MiB (100%)\n');
    });

    it('prints AWS and Kubernetes tasks as before, one line each', () => {
        const lines: string[] = [];
        const printer = new ScanProgressPrinter({ err: (l) => lines.push(l) }, { isTTY: true, write: () => assert.fail('no raw writes') });
        printer.show({ service: 'ec2', region: 'us-east-1', done: 3, total: 40 });
        printer.show({ service: 'iam', done: 4, total: 40 });
        assert.deepEqual(lines, ['[3/40] ec2 us-east-1', '[4/40] iam']);
    });
});
