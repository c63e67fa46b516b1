'use client';

import type { ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import { useRef, useState } from 'react';
import { alertObjectHref, type FiringAlert } from '../../_components/alert-banner';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { DateTime } from '../../_components/date-time';
import { ErrorNote } from '../../_components/error-note';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { useMe } from '../../_lib/use-me';
import { useMutate } from '../../_lib/use-mutate';
import { EMPTY_RULE, RuleForm, type RuleDraft } from './rule-form';
import { WebhooksPanel } from './webhooks-panel';

type Rule = AppRouterOutputs['alerts']['rules'][number];
type AlertEvent = AppRouterOutputs['alerts']['events'][number];

/** Why the change controls are missing for everyone else. */
export const ADMIN_ONLY = 'Alert rules and webhooks are changed by administrators; you see them and what fires.';

const shown = (x: number) => x.toLocaleString(undefined, { maximumFractionDigits: 1 });

const objectCell = (a: Pick<FiringAlert, 'vhost' | 'objectKind' | 'object'>) => (
  <Link href={alertObjectHref(a)}>
    {a.objectKind === 'queue' ? 'queue' : 'stream group'} {a.object}
  </Link>
);

const firingColumns: ColumnDef<FiringAlert>[] = [
  { id: 'rule', accessorKey: 'ruleName', header: 'Rule', size: 170 },
  { id: 'object', accessorKey: 'object', header: 'Object', size: 200, cell: ({ row }) => objectCell(row.original) },
  { id: 'vhost', accessorKey: 'vhost', header: 'Vhost', size: 90 },
  { id: 'summary', accessorKey: 'summary', header: 'What', size: 320, meta: { grow: true, wrap: true } },
  { id: 'since', accessorKey: 'firedAt', header: 'Since', size: 180, cell: ({ row }) => <DateTime ms={row.original.firedAt} /> },
];

const eventColumns: ColumnDef<AlertEvent>[] = [
  { id: 'rule', accessorKey: 'ruleName', header: 'Rule', size: 170 },
  {
    id: 'object',
    accessorKey: 'object',
    header: 'Object',
    size: 200,
    cell: ({ row }) => objectCell({ ...row.original, objectKind: row.original.objectKind === 'group' ? 'group' : 'queue' }),
  },
  { id: 'vhost', accessorKey: 'vhost', header: 'Vhost', size: 90 },
  { id: 'condition', accessorKey: 'condition', header: 'Condition', size: 190 },
  { id: 'value', accessorKey: 'value', header: 'Value', size: 90, meta: { numeric: true }, cell: ({ row }) => shown(row.original.value) },
  { id: 'fired', accessorKey: 'firedAt', header: 'Fired', size: 180, cell: ({ row }) => <DateTime ms={row.original.firedAt} /> },
  {
    id: 'recovered',
    accessorFn: (e) => e.recoveredAt ?? Number.MAX_SAFE_INTEGER,
    header: 'Recovered',
    size: 180,
    meta: { grow: true },
    cell: ({ row }) => (row.original.recoveredAt === null ? <span className="badge">firing</span> : <DateTime ms={row.original.recoveredAt} />),
  },
];

const ruleColumns = (mayEdit: boolean, conditionLabel: (id: string) => string, onEdit: (r: Rule) => void, onDelete: (r: Rule) => void): ColumnDef<Rule>[] => [
  { id: 'name', accessorKey: 'name', header: 'Name', size: 170 },
  { id: 'vhost', accessorKey: 'vhost', header: 'Vhost', size: 90 },
  { id: 'pattern', accessorKey: 'pattern', header: 'Pattern', size: 140, cell: ({ row }) => <code>{row.original.pattern}</code> },
  {
    id: 'condition',
    accessorKey: 'condition',
    header: 'Condition',
    size: 260,
    meta: { wrap: true, grow: true },
    cell: ({ row }) => conditionLabel(row.original.condition),
  },
  { id: 'threshold', accessorKey: 'threshold', header: 'Threshold', size: 95, meta: { numeric: true } },
  { id: 'for', accessorKey: 'forSeconds', header: 'For (s)', size: 80, meta: { numeric: true } },
  { id: 'enabled', accessorKey: 'enabled', header: 'Enabled', size: 80, cell: ({ row }) => (row.original.enabled ? 'yes' : 'no') },
  {
    id: 'actions',
    header: actionsHeader,
    size: 150,
    enableSorting: false,
    cell: ({ row: { original: r } }) =>
      mayEdit && (
        <span className="actions">
          <button type="button" onClick={() => onEdit(r)} aria-label={`Edit rule ${r.name}`}>
            Edit
          </button>
          <button type="button" className="danger" onClick={() => onDelete(r)} aria-label={`Delete rule ${r.name}`}>
            Delete…
          </button>
        </span>
      ),
  },
];

export function AlertsView() {
  const trpc = useTRPC();
  const { isAdministrator } = useMe();
  const firing = useLive(trpc.alerts.firing.queryOptions({}));
  const events = useLive(trpc.alerts.events.queryOptions({ limit: 200 }));
  const rules = useLive(trpc.alerts.rules.queryOptions());
  const conditions = useLive(trpc.alerts.conditions.queryOptions());
  const [draft, setDraft] = useState<RuleDraft>(EMPTY_RULE);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const del = useMutate(trpc.alerts.deleteRule.mutationOptions({ onSuccess: () => setDeleting(null) }));
  const formRef = useRef<HTMLFormElement>(null);
  const conditionLabel = (id: string) => conditions.data?.find((c) => c.id === id)?.label ?? id;

  const edit = (r: Rule) => {
    setDraft({
      id: r.id,
      vhost: r.vhost,
      name: r.name,
      pattern: r.pattern,
      condition: r.condition,
      threshold: String(r.threshold),
      forSeconds: String(r.forSeconds),
      webhookId: r.webhookId === null ? '' : String(r.webhookId),
      slackWebhookId: r.slackWebhookId === null ? '' : String(r.slackWebhookId),
      enabled: r.enabled,
    });
    // The form is below the tables: take the keyboard there.
    formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  };

  return (
    <>
      <ErrorNote errors={[firing.error, rules.error, events.error, del.error]} />
      <div className="card">
        <h2>Firing now</h2>
        <DataTable
          label="Firing alerts"
          columns={firingColumns}
          data={firing.data ?? []}
          getRowId={(a) => `${a.ruleId} ${a.vhost} ${a.object}`}
          defaultSort={{ id: 'since' }}
          urlPrefix="firing."
          height="content"
          empty={<p className="muted">{firing.isPending ? 'Loading…' : 'No alert is firing.'}</p>}
        />
      </div>
      <div className="card">
        <h2>Rules</h2>
        <DataTable
          label="Alert rules"
          columns={ruleColumns(isAdministrator, conditionLabel, edit, setDeleting)}
          data={rules.data ?? []}
          getRowId={(r) => String(r.id)}
          defaultSort={{ id: 'name' }}
          urlPrefix="rules."
          height="content"
          empty={
            <p className="muted">
              {rules.isPending ? 'Loading…' : 'No alert rules yet.'}
              {isAdministrator && ' Add one below: for example pattern ^orders$, queue depth above 1000, for 60 seconds.'}
            </p>
          }
        />
      </div>
      {isAdministrator ? (
        <RuleForm ref={formRef} draft={draft} onChange={setDraft} onDone={() => setDraft(EMPTY_RULE)} conditions={conditions.data ?? []} />
      ) : (
        <p className="muted">{ADMIN_ONLY}</p>
      )}
      <WebhooksPanel mayEdit={isAdministrator} />
      <div className="card">
        <h2>Recorded alerts</h2>
        <DataTable
          label="Recorded alerts"
          columns={eventColumns}
          data={events.data ?? []}
          getRowId={(e) => String(e.id)}
          defaultSort={{ id: 'fired', desc: true }}
          urlPrefix="events."
          height="content"
          empty={<p className="muted">{events.isPending ? 'Loading…' : 'No alert has fired yet.'}</p>}
        />
      </div>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete alert rule ${deleting?.name ?? ''}?`}
        confirmLabel="Delete rule"
        busy={del.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ vhost: deleting.vhost, id: deleting.id })}
      >
        <p>The rule stops watching at once; its alerts firing now are recorded as recovered. The alerts it recorded stay in the list.</p>
      </ConfirmDialog>
    </>
  );
}
