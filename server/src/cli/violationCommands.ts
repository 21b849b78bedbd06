import type { CommandSpec } from './command';

/** `policy-insights violations`. */
export const violationCommands: CommandSpec[] = [
    {
        path: ['violations'],
        usage: '[--policy-pack P] [--policy X] [--project J] [--level L] [--account A] [--resource R] [--type T] [--since DATE] [--until DATE] [--format table|json|csv|sarif]',
        summary: 'List violations with the console filters',
    },
];
