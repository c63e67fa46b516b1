'use client';

import { useQuery } from '@tanstack/react-query';
import type { FormEvent, Ref } from 'react';
import { ErrorNote } from '../../_components/error-note';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useMutate } from '../../_lib/use-mutate';

type ConditionInfo = AppRouterOutputs['alerts']['conditions'][number];

/** A rule as typed in the form: numbers and webhook ids as text ('' for none). */
export interface RuleDraft {
  id?: number;
  vhost: string;
  name: string;
  pattern: string;
  condition: string;
  threshold: string;
  forSeconds: string;
  webhookId: string;
  slackWebhookId: string;
  enabled: boolean;
}

export const EMPTY_RULE: RuleDraft = {
  vhost: '/',
  name: '',
  pattern: '',
  condition: 'depth_above',
  threshold: '',
  forSeconds: '0',
  webhookId: '',
  slackWebhookId: '',
  enabled: true,
};

const idOrNull = (text: string) => (text === '' ? null : Number(text));

/** Adds an alert rule, or changes the one being edited (Edit in the table fills it in). */
export function RuleForm({
  ref,
  draft,
  onChange,
  onDone,
  conditions,
}: {
  ref: Ref<HTMLFormElement>;
  draft: RuleDraft;
  onChange: (draft: RuleDraft) => void;
  onDone: () => void;
  conditions: readonly ConditionInfo[];
}) {
  const trpc = useTRPC();
  const vhosts = useQuery(trpc.vhosts.list.queryOptions());
  const webhooks = useQuery(trpc.alerts.webhooks.queryOptions());
  const save = useMutate(trpc.alerts.saveRule.mutationOptions({ onSuccess: onDone }));
  const info = conditions.find((c) => c.id === draft.condition);
  const set = (change: Partial<RuleDraft>) => onChange({ ...draft, ...change });
  const title = draft.id === undefined ? 'Add an alert rule' : `Edit alert rule ${draft.name}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      id: draft.id,
      vhost: draft.vhost,
      name: draft.name,
      pattern: draft.pattern,
      condition: draft.condition as ConditionInfo['id'],
      threshold: Number(draft.threshold),
      forSeconds: Number(draft.forSeconds),
      webhookId: idOrNull(draft.webhookId),
      slackWebhookId: idOrNull(draft.slackWebhookId),
      enabled: draft.enabled,
    });
  };
  const cancel = () => {
    save.reset();
    onDone();
  };

  return (
    <form ref={ref} className="card" onSubmit={submit} aria-label={title} onKeyDown={(e) => e.key === 'Escape' && draft.id !== undefined && cancel()}>
      <h2>{title}</h2>
      <ErrorNote errors={[save.error, vhosts.error, webhooks.error]} />
      <div className="actions">
        <label>
          Name
          <input value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder="orders backlog" required />
        </label>
        <label>
          Vhost
          <select value={draft.vhost} onChange={(e) => set({ vhost: e.target.value })} disabled={draft.id !== undefined}>
            {!(vhosts.data ?? []).some((v) => v.name === draft.vhost) && <option value={draft.vhost}>{draft.vhost}</option>}
            {(vhosts.data ?? []).map((v) => (
              <option key={v.name} value={v.name}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Condition
          <select value={draft.condition} onChange={(e) => set({ condition: e.target.value })}>
            {conditions.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="actions">
        <label>
          {info?.on === 'group' ? 'Stream pattern (regular expression)' : 'Queue pattern (regular expression)'}
          <input value={draft.pattern} onChange={(e) => set({ pattern: e.target.value })} placeholder="^orders$" required />
        </label>
        <label>
          Threshold{info && ` (${info.unit})`}
          <input type="number" min={0} step="any" value={draft.threshold} onChange={(e) => set({ threshold: e.target.value })} required />
        </label>
        <label>
          For (seconds it must hold)
          <input type="number" min={0} max={86_400} step={1} value={draft.forSeconds} onChange={(e) => set({ forSeconds: e.target.value })} required />
        </label>
      </div>
      <div className="actions">
        <WebhookSelect
          label="Webhook"
          none="none (shown and recorded only)"
          webhooks={(webhooks.data ?? []).filter((w) => w.format === 'warren')}
          value={draft.webhookId}
          onChange={(webhookId) => set({ webhookId })}
        />
        <WebhookSelect
          label="Slack-compatible webhook (optional)"
          none="none"
          webhooks={(webhooks.data ?? []).filter((w) => w.format === 'slack')}
          value={draft.slackWebhookId}
          onChange={(slackWebhookId) => set({ slackWebhookId })}
        />
        <label>
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
        </label>
      </div>
      <p className="muted">
        {info?.on === 'group'
          ? 'Each consumer group of the matching streams is watched.'
          : 'Each matching queue is watched on its own; a dead-letter queue is one whose name matches, e.g. \\.dlq$.'}{' '}
        Webhooks are added below.
      </p>
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : draft.id === undefined ? 'Add rule' : 'Save rule'}
        </button>
        {draft.id !== undefined && (
          <button type="button" onClick={cancel}>
            Cancel edit
          </button>
        )}
      </div>
    </form>
  );
}

/** A choice of one webhook by id, or none (the empty value). */
function WebhookSelect({
  label,
  none,
  webhooks,
  value,
  onChange,
}: {
  label: string;
  none: string;
  webhooks: { id: number; name: string }[];
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{none}</option>
        {webhooks.map((w) => (
          <option key={w.id} value={String(w.id)}>
            {w.name}
          </option>
        ))}
      </select>
    </label>
  );
}
