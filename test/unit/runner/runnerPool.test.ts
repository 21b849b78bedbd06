/** The pool's per-policy timeout as the language server sets it from `policyInsights.runner.timeoutMs`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLICY_TIMEOUT_MS, RunnerPool } from '../../../server/src/runner';

describe('RunnerPool.setPolicyTimeoutMs', () => {
    it('takes a positive number, and falls back to the default for an unset or mistyped setting (never no timeout)', () => {
        const pool = new RunnerPool({ timeoutMs: 1234 });
        assert.equal(pool.policyTimeoutMs, 1234);
        pool.setPolicyTimeoutMs(500);
        assert.equal(pool.policyTimeoutMs, 500);
        for (const bad of [undefined, null, 0, -5, Number.NaN, Number.POSITIVE_INFINITY, '500']) {
            pool.setPolicyTimeoutMs(500);
            pool.setPolicyTimeoutMs(bad);
            assert.equal(pool.policyTimeoutMs, DEFAULT_POLICY_TIMEOUT_MS, `for ${String(bad)}`);
        }
    });
});
