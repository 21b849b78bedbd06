/**
 * IdleRelease: the language server gives its parsed shards and garbage back after a quiet spell
 * (server.ts drops the store's read cache and collects). It must happen, once per busy spell,
 * and never while a request runs. Node's mock timers drive the clock, so "5 s pass" is exact
 * on a loaded machine.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { IdleRelease } from '../../../server/src/handlers/idleRelease';

const IDLE_MS = 5_000;

describe('IdleRelease', () => {
    let releases: number;
    let idle: IdleRelease;
    beforeEach(() => {
        mock.timers.enable({ apis: ['setTimeout'] });
        releases = 0;
        idle = new IdleRelease(() => releases++, IDLE_MS);
    });
    afterEach(() => {
        idle.dispose();
        mock.timers.reset();
    });

    it('releases once the quiet spell after a touch has passed, not before', () => {
        idle.touch();
        mock.timers.tick(IDLE_MS - 1);
        assert.equal(releases, 0);
        mock.timers.tick(1);
        assert.equal(releases, 1);
    });

    it('waits for the last of a run of touches', () => {
        for (let i = 0; i < 10; i++) {
            idle.touch();
            mock.timers.tick(IDLE_MS / 2);
        }
        assert.equal(releases, 0, 'released while touched every half spell');
        mock.timers.tick(IDLE_MS / 2);
        assert.equal(releases, 1);
    });

    it('releases once per busy spell, and again after the next one', () => {
        idle.touch();
        mock.timers.tick(10 * IDLE_MS);
        assert.equal(releases, 1);
        idle.touch();
        mock.timers.tick(IDLE_MS);
        assert.equal(releases, 2);
    });

    it('releases nothing for a server nobody asked anything', () => {
        mock.timers.tick(10 * IDLE_MS);
        assert.equal(releases, 0);
    });

    it('never releases while a request runs, however long; then a quiet spell after it ends', () => {
        const end = idle.begin();
        mock.timers.tick(10 * IDLE_MS);
        idle.touch(); // a store change while it runs
        mock.timers.tick(10 * IDLE_MS);
        assert.equal(releases, 0, 'released in the middle of a request');
        end();
        end(); // a second call changes nothing
        mock.timers.tick(IDLE_MS - 1);
        assert.equal(releases, 0);
        mock.timers.tick(1);
        assert.equal(releases, 1);
    });

    it('waits for every request in flight', () => {
        const first = idle.begin();
        const second = idle.begin();
        first();
        mock.timers.tick(10 * IDLE_MS);
        assert.equal(releases, 0, 'released while the second request runs');
        second();
        mock.timers.tick(IDLE_MS);
        assert.equal(releases, 1);
    });

    it('releases nothing once disposed', () => {
        idle.touch();
        idle.dispose();
        mock.timers.tick(10 * IDLE_MS);
        assert.equal(releases, 0);
    });
});
