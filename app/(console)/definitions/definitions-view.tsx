'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type DragEvent } from 'react';
import { useTRPC, useTRPCClient } from '../../_lib/trpc';
import { ErrorNote } from '../../_components/error-note';
import type { DefinitionsReport, Outcome } from '../../../server/definitions/report';

/** How the report's groups are headed, before and after applying. */
const GROUPS: { outcome: Outcome; preview: string; applied: string }[] = [
  { outcome: 'error', preview: 'Errors: nothing will be applied until they are fixed', applied: 'Errors' },
  { outcome: 'created', preview: 'Will be created', applied: 'Created' },
  { outcome: 'identical', preview: 'Already there, identical', applied: 'Already there, identical' },
  { outcome: 'different', preview: 'Already there with other settings: kept as they are', applied: 'Already there with other settings: kept as they are' },
  { outcome: 'skipped', preview: 'Skipped', applied: 'Skipped' },
];

export function DefinitionsView() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const vhosts = useQuery(trpc.vhosts.list.queryOptions());
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [into, setInto] = useState('');
  const [dragging, setDragging] = useState(false);
  const [scope, setScope] = useState('');
  const [downloadError, setDownloadError] = useState<Error | null>(null);
  const preview = useMutation(trpc.definitions.preview.mutationOptions());
  const apply = useMutation(trpc.definitions.import.mutationOptions());
  const report: DefinitionsReport | undefined = apply.data ?? preview.data;

  const choose = async (chosen: File | undefined) => {
    if (!chosen) return;
    const text = await chosen.text();
    setFile({ name: chosen.name, text });
    apply.reset();
    preview.mutate({ text, vhost: into || undefined });
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void choose(e.dataTransfer.files[0]);
  };
  const download = async () => {
    setDownloadError(null);
    try {
      const definitions = await client.definitions.export.query({ vhost: scope || undefined });
      const url = URL.createObjectURL(new Blob([`${JSON.stringify(definitions, null, 2)}\n`], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = scope ? `definitions-${scope.replace(/[^A-Za-z0-9._-]/g, '_')}.json` : 'definitions.json';
      a.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      setDownloadError(error as Error);
    }
  };

  return (
    <>
      <div className="card">
        <h2>Import</h2>
        <div
          className="empty"
          style={dragging ? { borderColor: 'var(--accent)' } : undefined}
          onDragOver={(e) => (e.preventDefault(), setDragging(true))}
          onDragLeave={() => setDragging(false)}
          onDrop={drop}
          role="group"
          aria-label="Drop a definitions file here"
        >
          <p>Drop a definitions file (JSON) here, or choose one:</p>
          <div className="actions">
            <label>
              Definitions file
              <input type="file" accept="application/json,.json" onChange={(e) => void choose(e.target.files?.[0])} />
            </label>
            <label>
              Import into
              <select value={into} onChange={(e) => setInto(e.target.value)}>
                <option value="">the vhosts the file names</option>
                {vhosts.data?.map((v) => (
                  <option key={v.name} value={v.name}>
                    vhost {v.name} (a per-vhost file)
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        <ErrorNote errors={[preview.error, apply.error]} />
        {preview.isPending && <p role="status">Checking {file?.name}…</p>}
        {report && file && (
          <Report report={report} fileName={file.name} onApply={() => apply.mutate({ text: file.text, vhost: into || undefined })} applying={apply.isPending} />
        )}
      </div>
      <div className="card actions">
        <h2>Export</h2>
        <label>
          What
          <select value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="">everything (users, vhosts, permissions and all vhosts&apos; topology)</option>
            {vhosts.data?.map((v) => (
              <option key={v.name} value={v.name}>
                vhost {v.name} only
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" onClick={() => void download()}>
          Download definitions
        </button>
        <ErrorNote errors={[downloadError]} />
      </div>
    </>
  );
}

function Report({ report, fileName, onApply, applying }: { report: DefinitionsReport; fileName: string; onApply: () => void; applying: boolean }) {
  const { counts } = report;
  return (
    <section aria-label="Import report">
      <p role="status">
        {report.applied ? 'Applied' : 'Preview of'} <strong>{fileName}</strong>
        {report.rabbitVersion && <> (RabbitMQ {report.rabbitVersion})</>}: {counts.created} {report.applied ? 'created' : 'to create'}, {counts.identical}{' '}
        identical, {counts.different} different and kept, {counts.skipped} skipped, {counts.error} error{counts.error === 1 ? '' : 's'}.
      </p>
      {!report.applied && (
        <button type="button" className="primary" onClick={onApply} disabled={!report.valid || applying || counts.created === 0}>
          {applying ? 'Applying…' : report.valid ? `Apply: create ${counts.created}` : 'Fix the errors to apply'}
        </button>
      )}
      {GROUPS.filter((g) => counts[g.outcome] > 0).map((g) => (
        <section key={g.outcome} aria-label={report.applied ? g.applied : g.preview}>
          <h3 className={g.outcome === 'error' ? 'error' : undefined}>
            {report.applied ? g.applied : g.preview} ({counts[g.outcome]})
          </h3>
          <ul>
            {report.lines
              .filter((l) => l.outcome === g.outcome)
              .map((l, i) => (
                <li key={i}>
                  {l.object}
                  {l.detail && <span className="muted">: {l.detail}</span>}
                </li>
              ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
