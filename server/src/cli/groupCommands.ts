import type { CommandSpec } from './command';

/** `policy-insights policy group ...`. */
export const groupCommands: CommandSpec[] = [
    { path: ['policy', 'group', 'ls'], usage: '', summary: 'List policy groups' },
    { path: ['policy', 'group', 'new'], usage: '<name> [--entity-type accounts|stacks] [--mode audit|preventative]', summary: 'Create a policy group' },
    { path: ['policy', 'group', 'get'], usage: '<name>', summary: 'Show a policy group' },
    {
        path: ['policy', 'group', 'edit'],
        usage: '<name> [--add-account A] [--remove-account A] [--add-policy-pack P@TAG] [--remove-policy-pack P]',
        summary: 'Change a policy group',
    },
    { path: ['policy', 'group', 'remove'], usage: '<name>', summary: 'Remove a policy group' },
];
