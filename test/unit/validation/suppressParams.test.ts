/**
 * The suppress request's params as the Policy Violations page and the tree send them: the
 * page's "Remove suppression" button sends `until: ''` with `remove: true`, which the
 * schema once refused (the button did nothing but fail).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestParamsProblem } from '../../../server/src/validation/boundarySchemas';
import { SuppressViolationRequest } from '../../../server/src/shared/panelProtocol';

const check = (params: unknown) => requestParamsProblem(SuppressViolationRequest.method, params);

describe('suppress request params', () => {
    it('take a removal without a reason or date, as the page sends it', () => {
        assert.equal(check({ id: 'v1', reason: '', until: '', remove: true }), null);
        assert.equal(check({ id: 'v1', remove: true }), null);
    });
    it('take a suppression with a reason and a date', () => {
        assert.equal(check({ id: 'v1', reason: 'accepted risk', until: '2030-01-01' }), null);
        assert.equal(check({ id: 'v1', reason: 'accepted risk', until: '2030-01-01', remove: false }), null);
    });
    it('refuse a suppression without a date, or with one that is no date', () => {
        assert.notEqual(check({ id: 'v1', reason: 'x', until: '' }), null);
        assert.notEqual(check({ id: 'v1', reason: 'x', until: 'tomorrow', remove: false }), null);
        assert.notEqual(check({ id: 'v1', reason: 'x' }), null);
        assert.notEqual(check({ reason: 'x', until: '', remove: true }), null);
    });
});
