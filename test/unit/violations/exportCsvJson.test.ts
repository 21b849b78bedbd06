/** CSV and JSON exports: every violation back out of the file unchanged, nothing a spreadsheet would run. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import { CSV_COLUMNS, exportContextOf, formatViolations } from '../../../server/src/violations/export';
import { remediationRecord } from './remediationRecords';
import { syntheticViolations } from '../../support/syntheticViolations';

const NOW = new Date('2026-11-28T12:00:00Z');
const context = exportContextOf([], new Map(), { now: NOW });

/** RFC 4180 reader: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') {
                field += '"';
                i++;
            } else if (c === '"') quoted = false;
            else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') {
            row.push(field);
            field = '';
        } else if (c === '\r' && text[i + 1] === '\n') {
            row.push(field);
            rows.push(row);
            row = [];
            field = '';
            i++;
        } else field += c;
    }
    assert.equal(field + row.join(''), '', 'the file ends with CRLF');
    return rows;
}

describe('CSV export', () => {
    it('writes a header and one row per violation that reads back to the same values', () => {
        const { violations } = syntheticViolations(500, { seed: 8, now: NOW });
        const rows = parseCsv(formatViolations(violations, 'csv', context));
        assert.deepEqual(rows[0], [...CSV_COLUMNS]);
        assert.equal(rows.length, violations.length + 1);
        const col = (name: string) => CSV_COLUMNS.indexOf(name);
        for (const [i, v] of violations.entries()) {
            const row = rows[i + 1];
            assert.equal(row.length, CSV_COLUMNS.length);
            assert.equal(row[col('id')], v.id);
            assert.equal(row[col('resourceURN')], v.resourceURN);
            assert.equal(row[col('message')], v.message);
            assert.equal(row[col('severity')], v.severity ?? '');
            assert.equal(row[col('account')], v.entityId);
        }
    });

    it('quotes commas, quotes and line breaks, and defuses formulas', () => {
        const [v] = syntheticViolations(1, { seed: 3, now: NOW }).violations;
        const tricky: Violation = { ...v, resourceName: '=HYPERLINK("http://x","y")', message: 'line one, "two"\r\nline three', assignedTo: '@admin' };
        const [, row] = parseCsv(formatViolations([tricky], 'csv', context));
        const col = (name: string) => CSV_COLUMNS.indexOf(name);
        assert.equal(row[col('resourceName')], `'=HYPERLINK("http://x","y")`);
        assert.equal(row[col('message')], 'line one, "two"\r\nline three');
        assert.equal(row[col('assignedTo')], "'@admin");
    });
});

describe('remediation records in exports', () => {
    it('CSV carries the changed paths with their old and new values; JSON the whole record', () => {
        const [v] = syntheticViolations(1, { seed: 4, now: NOW }).violations;
        const record = remediationRecord(v);
        const [, plain, remediated] = parseCsv(formatViolations([v, record], 'csv', context));
        const col = (name: string) => CSV_COLUMNS.indexOf(name);
        assert.equal(plain[col('remediationChanges')], '');
        assert.deepEqual(JSON.parse(remediated[col('remediationChanges')]), [{ path: 'acl', before: 'public-read', after: 'private' }]);
        assert.deepEqual([remediated[col('level')], remediated[col('message')]], ['remediate', 'Would change acl: public-read → private']);
        const doc = JSON.parse(formatViolations([record], 'json', context));
        assert.deepEqual(doc.violations[0].remediation, { before: { acl: 'public-read' }, after: { acl: 'private' }, changes: [{ path: 'acl', before: 'public-read', after: 'private' }] });
    });
});

describe('JSON export', () => {
    it('writes the violations as stored, with the count and when', () => {
        const { violations } = syntheticViolations(50, { seed: 5, now: NOW });
        const doc = JSON.parse(formatViolations(violations, 'json', context));
        assert.equal(doc.generatedAt, NOW.toISOString());
        assert.equal(doc.count, 50);
        assert.deepEqual(doc.violations, JSON.parse(JSON.stringify(violations)));
    });
});
