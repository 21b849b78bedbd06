/**
 * The detail pane: the resource (type, name, URN, account/region, properties with the
 * offending ones highlighted), the policy (pack@tag, description, severity, remediation,
 * link), the message, first and last seen, triage (status, priority, assignee), Suppress
 * with a reason and an expiry, Open resource and Open in source. A remediation record shows
 * what its remediation would change: each property path, before → after.
 */
import type { PanelSuppressParams, PanelTriageParams, ViolationDetail } from '../../../server/src/shared/panelProtocol';
import { PRIORITIES, TRIAGE_STATUSES, type Priority, type PropertyChange, type SourcePosition } from '../../../server/src/shared/model';
import { STATUS_LABELS } from './columns';
import { formatDate, formatUntil, h } from './dom';

export interface DetailEvents {
    onTriage(params: PanelTriageParams): Promise<void>;
    onSuppress(params: PanelSuppressParams): Promise<void>;
    onOpenResource(id: string): void;
    onOpenSource(position: SourcePosition): void;
    onOpenLink(url: string): void;
    onClose(): void;
}

/** Which group's binding applies and what it overrode (an entity in several groups runs one version of each pack). */
function bindingText(binding: ViolationDetail['binding']): Node | string | undefined {
    if (!binding) return undefined;
    const applied = `${binding.group} (${binding.mode}) binds ${binding.follows === binding.version ? binding.version : `${binding.follows} = ${binding.version}`}`;
    if (!binding.overrides.length) return applied;
    return h('div', {}, ...[applied, ...binding.overrides.map((o) => `overrides ${o.group} (${o.follows}${o.version && o.version !== o.follows ? ` = ${o.version}` : ''}): ${o.reason}`)].map((line) => h('div', {}, line)));
}

function field(label: string, value: Node | string | undefined): HTMLElement[] {
    if (value === undefined || value === '') return [];
    return [h('dt', {}, label), h('dd', {}, value)];
}

/** A property value as compact JSON (strings quoted), cut so one huge policy document does not flood the pane. */
function propertyText(value: unknown): string {
    const text = JSON.stringify(value, null, 2) ?? String(value);
    return text.length > 4000 ? `${text.slice(0, 4000)}\n\u2026 (${text.length - 4000} more characters)` : text;
}

/** A remediation's change as rows: path, value before, value after ("not set" when the side has none). All text nodes. */
function changeTable(changes: readonly PropertyChange[]): HTMLElement {
    const value = (change: PropertyChange, side: 'before' | 'after') =>
        side in change ? h('pre', { class: `change-value change-${side}` }, propertyText(change[side])) : h('span', { class: `change-value change-${side} muted` }, 'not set');
    return h(
        'table',
        { class: 'changes', attrs: { 'aria-label': 'Property changes' } },
        h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' } }, 'Property'), h('th', { attrs: { scope: 'col' } }, 'Before'), h('th', { attrs: { scope: 'col', 'aria-label': 'becomes' } }, ''), h('th', { attrs: { scope: 'col' } }, 'After'))),
        h(
            'tbody',
            {},
            ...changes.map((change) =>
                h('tr', { attrs: { 'data-path': change.path } }, h('td', {}, h('code', { class: 'change-path' }, change.path)), h('td', {}, value(change, 'before')), h('td', { class: 'change-arrow', attrs: { 'aria-hidden': 'true' } }, '\u2192'), h('td', {}, value(change, 'after'))),
            ),
        ),
    );
}

/** The date input's value for a day `days` from now. */
function dayFromNow(days: number): string {
    return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export class DetailPane {
    readonly element: HTMLElement;
    private readonly content: HTMLElement;
    private readonly status: HTMLElement;
    /** The violation shown: a refresh of the same one keeps the status line ("Suppressed."). */
    private shownId: string | undefined;

    constructor(private readonly events: DetailEvents) {
        this.content = h('div', { class: 'detail-content' });
        this.status = h('div', { class: 'detail-status', attrs: { role: 'status', 'aria-live': 'polite' } });
        this.element = h('aside', { class: 'detail', attrs: { 'aria-label': 'Violation details', hidden: true } }, this.content);
    }

    showLoading(): void {
        this.element.hidden = false;
        this.shownId = undefined;
        this.content.replaceChildren(h('p', { class: 'muted' }, 'Loading\u2026'));
    }

    showError(message: string): void {
        this.element.hidden = false;
        this.shownId = undefined;
        this.content.replaceChildren(h('p', { class: 'error' }, message));
    }

    hide(): void {
        this.element.hidden = true;
        this.shownId = undefined;
        this.content.replaceChildren();
    }

    say(message: string, isError = false): void {
        this.status.textContent = message;
        this.status.classList.toggle('error', isError);
    }

    show(detail: ViolationDetail): void {
        const { violation: v, resource, policy } = detail;
        this.element.hidden = false;
        // The store-changed refresh that follows a triage or a suppression shows the same violation again.
        if (this.shownId !== v.id) this.say('');
        this.shownId = v.id;
        const highlighted = new Set(detail.highlightedProperties);
        const header = h(
            'div',
            { class: 'detail-header' },
            h('h2', { class: 'detail-title' }, v.resourceName || v.entityId),
            h('button', { class: 'icon-button', attrs: { type: 'button', 'aria-label': 'Close details', title: 'Close details' }, on: { click: () => this.events.onClose() } }, '\u00D7'),
        );
        const badges = h(
            'div',
            { class: 'badges' },
            h('span', { class: `pill level-${v.level}` }, v.level),
            v.severity ? h('span', { class: `pill severity-${v.severity}` }, v.severity) : null,
            h('span', { class: 'pill' }, STATUS_LABELS[v.status] ?? v.status),
            detail.suppressed && v.suppression ? h('span', { class: 'pill suppressed' }, `suppressed until ${formatUntil(v.suppression.until)}`) : null,
        );
        const message = v.remediation
            ? h(
                  'section',
                  { class: 'detail-section remediation-change' },
                  h('h3', {}, 'What the remediation would change'),
                  h('p', { class: 'message' }, v.message),
                  changeTable(v.remediation.changes),
                  h(
                      'p',
                      { class: 'muted' },
                      resource?.sourcePosition
                          ? 'Nothing is applied: set these values in the program (the quick fix \u201CFix in code\u201D on its line does it where they are literals).'
                          : 'Nothing is applied: set these values on the resource.',
                  ),
              )
            : h('section', { class: 'detail-section' }, h('h3', {}, 'Why'), h('p', { class: 'message' }, v.message));
        const actions = h(
            'div',
            { class: 'detail-actions' },
            h('button', { attrs: { type: 'button', 'data-action': 'open-resource' }, on: { click: () => this.events.onOpenResource(v.id) } }, 'Open resource'),
            resource?.sourcePosition
                ? h('button', { class: 'secondary', attrs: { type: 'button', 'data-action': 'open-source' }, on: { click: () => this.events.onOpenSource(resource.sourcePosition!) } }, 'Open in source')
                : null,
        );

        const resourceSection = h(
            'section',
            { class: 'detail-section' },
            h('h3', {}, 'Resource'),
            h(
                'dl',
                {},
                ...field('Type', v.resourceType),
                ...field('Name', v.resourceName),
                ...field('URN', h('code', { class: 'wrap' }, v.resourceURN)),
                ...field('ID', resource?.id),
                ...field('Account', v.entityId),
                ...field('Region', resource?.region),
                ...field('Project', v.project ?? resource?.project),
                ...field('Stack', resource?.stack),
                ...field('Source', resource?.sourcePosition ? `${resource.sourcePosition.uri}:${resource.sourcePosition.line}` : undefined),
            ),
            resource
                ? h(
                      'div',
                      { class: 'properties', attrs: { role: 'list', 'aria-label': 'Resource properties' } },
                      // The offending properties first: a bucket policy or a tag map above them would push them out of sight.
                      ...Object.entries(resource.properties)
                          .sort(([a], [b]) => Number(highlighted.has(b)) - Number(highlighted.has(a)))
                          .map(([name, value]) =>
                              h(
                                  'div',
                                  { class: `property${highlighted.has(name) ? ' offending' : ''}`, attrs: { role: 'listitem', 'data-property': name } },
                                  h('span', { class: 'property-name' }, name),
                                  highlighted.has(name) ? h('span', { class: 'offending-label' }, 'named in the message') : null,
                                  h('pre', { class: 'property-value' }, propertyText(value)),
                              ),
                          ),
                  )
                : h('p', { class: 'muted' }, 'The resource is no longer in the account\u2019s last scan.'),
        );

        const linkUrl = policy?.url && /^https?:\/\//i.test(policy.url) ? policy.url : undefined;
        const policySection = h(
            'section',
            { class: 'detail-section' },
            h('h3', {}, 'Policy'),
            h(
                'dl',
                {},
                ...field('Policy', policy?.displayName ? `${policy.displayName} (${v.policyName})` : v.policyName),
                ...field('Pack', `${v.policyPack}@${v.policyPackTag}`),
                ...field('Group', v.policyGroupName),
                ...field('Binding', bindingText(detail.binding)),
                ...field('Severity', policy?.severity ?? v.severity),
                ...field('Description', policy?.description),
                ...field('Remediation', policy?.remediationSteps ? h('p', { class: 'remediation' }, policy.remediationSteps) : undefined),
                ...field('Link', linkUrl ? h('button', { class: 'link-button', attrs: { type: 'button', title: linkUrl }, on: { click: () => this.events.onOpenLink(linkUrl) } }, linkUrl) : undefined),
            ),
            policy ? null : h('p', { class: 'muted' }, `${v.policyPack}@${v.policyPackTag} is no longer published; its description is not available.`),
        );

        const history = h(
            'section',
            { class: 'detail-section' },
            h('h3', {}, 'History'),
            h('dl', {}, ...field('First seen', formatDate(v.observedAt)), ...field('Last seen', formatDate(v.lastSeenAt)), ...field('Resolved', formatDate(v.resolvedAt))),
        );

        // The status line under the actions, where the reader is when triaging (the pane scrolls).
        this.content.replaceChildren(header, badges, message, actions, this.status, this.triageSection(detail), resourceSection, policySection, history);
    }

    private triageSection(detail: ViolationDetail): HTMLElement {
        const v = detail.violation;
        const fixed = v.status === 'fixed';
        const status = h(
            'select',
            { attrs: { id: 'triage-status', disabled: fixed } },
            ...(fixed ? [h('option', { attrs: { value: 'fixed' } }, 'Fixed')] : TRIAGE_STATUSES.map((s) => h('option', { attrs: { value: s } }, STATUS_LABELS[s]))),
        );
        status.value = v.status;
        const priority = h('select', { attrs: { id: 'triage-priority' } }, h('option', { attrs: { value: '' } }, 'None'), ...PRIORITIES.map((p) => h('option', { attrs: { value: p } }, p.toUpperCase())));
        priority.value = v.priority ?? '';
        const assignee = h('input', { attrs: { id: 'triage-assignee', type: 'text', placeholder: 'name or email', autocomplete: 'off' } });
        assignee.value = v.assignedTo ?? '';
        const save = h('button', { attrs: { type: 'button', 'data-action': 'save-triage' } }, 'Save triage');
        save.addEventListener('click', async () => {
            save.disabled = true;
            try {
                await this.events.onTriage({
                    id: v.id,
                    ...(fixed ? {} : { status: status.value as PanelTriageParams['status'] }),
                    priority: (priority.value || null) as Priority | null,
                    assignedTo: assignee.value.trim() || null,
                });
            } finally {
                save.disabled = false;
            }
        });

        const reason = h('input', { attrs: { id: 'suppress-reason', type: 'text', placeholder: 'why it is acceptable for now', autocomplete: 'off' } });
        const until = h('input', { attrs: { id: 'suppress-until', type: 'date', min: dayFromNow(1) } });
        until.value = dayFromNow(30);
        const suppress = h('button', { class: 'secondary', attrs: { type: 'button', 'data-action': 'suppress' } }, 'Suppress');
        suppress.addEventListener('click', async () => {
            if (!reason.value.trim()) {
                this.say('A suppression needs a reason.', true);
                reason.focus();
                return;
            }
            await this.events.onSuppress({ id: v.id, reason: reason.value.trim(), until: until.value });
        });
        const suppressed = detail.suppressed && v.suppression;
        const suppression = suppressed
            ? h(
                  'div',
                  { class: 'suppression' },
                  h('p', {}, `Suppressed until ${formatUntil(v.suppression!.until)}: `, h('q', {}, v.suppression!.reason)),
                  h('button', { class: 'secondary', attrs: { type: 'button', 'data-action': 'unsuppress' }, on: { click: () => void this.events.onSuppress({ id: v.id, reason: '', until: '', remove: true }) } }, 'Remove suppression'),
              )
            : h(
                  'div',
                  { class: 'form-grid' },
                  h('label', { attrs: { for: 'suppress-reason' } }, 'Reason'),
                  reason,
                  h('label', { attrs: { for: 'suppress-until' } }, 'Until'),
                  until,
                  h('span', {}),
                  suppress,
              );
        return h(
            'section',
            { class: 'detail-section triage' },
            h('h3', {}, 'Triage'),
            h(
                'div',
                { class: 'form-grid' },
                h('label', { attrs: { for: 'triage-status' } }, 'Status'),
                status,
                h('label', { attrs: { for: 'triage-priority' } }, 'Priority'),
                priority,
                h('label', { attrs: { for: 'triage-assignee' } }, 'Assignee'),
                assignee,
                h('span', {}),
                save,
            ),
            h('h3', {}, 'Suppress'),
            suppression,
        );
    }
}
