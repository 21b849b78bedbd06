/** The ScanCoordinator: scheduled scans (none | 12h | daily), cancellation, one scan per account at a time. */
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addAwsAccount, addStackAccount, ScanCoordinator, ScanInProgressError, setScanSchedule, type ScanFailedEvent, type ScanStartedEvent } from '../../../server/src/accounts';
import { within } from '../../support/waits';
import { STACK_FIXTURES, startWorld, type AwsWorld } from './accountsTestSupport';

describe('ScanCoordinator', () => {
    let world: AwsWorld;
    before(async () => {
        world = await startWorld();
        await addAwsAccount(world.store, { name: 'demo', regions: ['us-west-2'], endpoint: world.aws.url });
    });
    after(() => world.cleanup());

    it('scans accounts on their schedule and not those with schedule none', async () => {
        const file = join(world.home, 'scheduled.json');
        await copyFile(join(STACK_FIXTURES, 'aws-app.dev.export.json'), file);
        await addStackAccount(world.store, { name: 'scheduled', stateFile: file, scanSchedule: '12h' });
        await addStackAccount(world.store, { name: 'unscheduled', stateFile: file });
        const coordinator = new ScanCoordinator(world.store, { watchStateFiles: false, periodsMs: { '12h': 150 } });
        const started: ScanStartedEvent[] = [];
        coordinator.onScanStarted((e) => started.push(e));
        const scansOf = (name: string) => started.filter((e) => e.account === name).length;
        const finishedScans = (name: string, n: number) =>
            within(
                new Promise<void>((resolve) => {
                    let count = 0;
                    const subscription = coordinator.onScanFinished((e) => {
                        if (e.outcome.account.name !== name || ++count < n) return;
                        subscription.dispose();
                        resolve();
                    });
                }),
                30_000,
                `${n} finished scans of ${name}`,
            );
        try {
            const twoScans = finishedScans('scheduled', 2);
            await coordinator.start();
            await twoScans;
            assert.ok(started.filter((e) => e.account === 'scheduled').every((e) => e.trigger === 'schedule'));
            assert.equal(started.some((e) => e.account === 'unscheduled' || e.account === 'demo'), false);
            // switching the schedule off stops the timer
            await setScanSchedule(world.store, 'scheduled', 'none');
            await coordinator.refresh();
            const count = scansOf('scheduled');
            // A witness on the same 150 ms schedule, added now: its second scan starts a period after
            // its first, later than 'scheduled' would have started again had its timer survived.
            const witnessScans = finishedScans('witness', 2);
            await addStackAccount(world.store, { name: 'witness', stateFile: file, scanSchedule: '12h' });
            await coordinator.refresh();
            await witnessScans;
            assert.equal(scansOf('scheduled'), count, 'a scan of an account whose schedule was switched off');
        } finally {
            coordinator.dispose();
        }
    });

    it('runs one scan per account at a time and cancels on request', async () => {
        const coordinator = new ScanCoordinator(world.store, { schedule: false, watchStateFiles: false, scanOptions: { requestTimeoutMs: 5000 } });
        const failures: ScanFailedEvent[] = [];
        coordinator.onScanFailed((e) => failures.push(e));
        world.aws.setFaults([{ latencyMs: 300 }]);
        try {
            const scan = coordinator.scan('demo');
            assert.equal(coordinator.isScanning('demo/us-west-2'), true);
            await assert.rejects(coordinator.scan('demo/us-west-2'), ScanInProgressError);
            // cancel once the scan is under way: one service has answered, the others are in flight
            await within(new Promise<void>((resolve) => {
                const subscription = coordinator.onProgress(() => {
                    subscription.dispose();
                    resolve();
                });
            }), 30_000, 'the first progress of the scan of demo');
            assert.equal(coordinator.cancel('demo'), true);
            await assert.rejects(scan, /cancelled/);
            assert.equal(failures.length, 1);
            assert.equal(failures[0].cancelled, true);
            assert.equal(coordinator.isScanning('demo'), false);
            assert.equal(coordinator.cancel('demo'), false);
            const { accounts } = await world.store.readCatalog();
            assert.equal(accounts.find((a) => a.name === 'demo')?.scanStatus?.errors[0].code, 'Cancelled');
            world.aws.setFaults([]);
            const outcome = await coordinator.scan('demo');
            assert.equal(outcome.record.status, 'succeeded');
        } finally {
            world.aws.setFaults([]);
            coordinator.dispose();
        }
    });
});
