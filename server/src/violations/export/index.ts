/**
 * Violation exports shared by the CLI (`violations --format csv|json|sarif`) and the
 * Policy Violations panel's Export button.
 */
import type { Violation } from '../../shared/model';
import type { ExportFormat } from '../../shared/panelProtocol';
import { violationsToCsv } from './csv';
import type { ExportContext } from './exportContext';
import { violationsToJson } from './json';
import { violationsToSarif } from './sarif';

export { CSV_COLUMNS, csvField, violationsToCsv } from './csv';
export { exportContextFor, exportContextOf, type ExportContext } from './exportContext';
export { violationsToJson, type ViolationsJson } from './json';
export { ruleIdOf, violationsToSarif } from './sarif';
export type { ExportFormat } from '../../shared/panelProtocol';

/** The file extension of each format, for save dialogs. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', json: 'json', sarif: 'sarif' };

/** `rows` (already filtered and in order) as the content of a `format` file. */
export function formatViolations(rows: readonly Violation[], format: ExportFormat, context: ExportContext): string {
    switch (format) {
        case 'csv':
            return violationsToCsv(rows);
        case 'json':
            return violationsToJson(rows, context.now ?? new Date(), context.total);
        case 'sarif':
            return violationsToSarif(rows, context);
    }
}
