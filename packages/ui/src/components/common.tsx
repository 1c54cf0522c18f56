import { Component, useEffect, useRef, type ReactNode } from 'react';
import type { ApiError } from '../lib/api';
import { renderMarkdown } from '../lib/markdown';
import { exactTime, formatTime, statusLabel, type TimeOptions } from '../lib/format';
import { useTimeZoneMode } from '../lib/hooks';

export function StatusBadge({ status, size }: { status: string; size?: 'lg' }) {
  const s = (status || 'UNKNOWN').toUpperCase();
  return (
    <span className={`badge status-${s.toLowerCase().replace(/_/g, '-')}${size === 'lg' ? ' badge-lg' : ''}`}>
      <span className="badge-dot" aria-hidden="true" />
      {statusLabel(s)}
    </span>
  );
}

/**
 * A timestamp with its zone ("14:03 UTC", "Mar 3, 14:03 CET"), following the UTC toggle, with the exact
 * ISO time on hover (title) and in `dateTime`. `fallback` is shown for a missing value (default "—").
 */
export function Time({ value, className, fallback = '—', ...options }: { value: string | null | undefined; className?: string; fallback?: string } & Omit<TimeOptions, 'mode'>) {
  const [mode] = useTimeZoneMode();
  if (!value) return <span className={className}>{fallback}</span>;
  const exact = exactTime(value);
  return (
    <time dateTime={exact} title={exact} className={className}>
      {formatTime(value, { ...options, mode })}
    </time>
  );
}

/**
 * "Live" while a poll answers; "Offline, retrying" while the API cannot be reached (usePolling's `offline`:
 * a network error or a 5xx), never a green badge beside a spinner that waits forever.
 */
export function LiveBadge({ offline, lastOkAt, label = 'Refreshes every few seconds' }: { offline: boolean; lastOkAt: number | null; label?: string }) {
  const [mode] = useTimeZoneMode();
  if (offline) {
    const last = lastOkAt ? `Last updated at ${formatTime(new Date(lastOkAt).toISOString(), { seconds: true, mode })}.` : 'Not loaded yet.';
    return (
      <span className="live live-offline" role="status" title={`The Flowgate API cannot be reached; retrying every few seconds. ${last}`} data-testid="live-badge">
        Offline, retrying
      </span>
    );
  }
  return (
    <span className="live" role="status" title={label} data-testid="live-badge">
      live
    </span>
  );
}

export function Pill({ tone, children, title }: { tone: 'green' | 'red' | 'gray' | 'amber' | 'blue'; children: ReactNode; title?: string }) {
  return (
    <span className={`pill pill-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Markdown({ source, className, label }: { source: string | null | undefined; className?: string; label?: string }) {
  // renderMarkdown escapes raw HTML and sanitizes the result with DOMPurify.
  return <div className={`markdown${className ? ` ${className}` : ''}`} aria-label={label} dangerouslySetInnerHTML={{ __html: renderMarkdown(source) }} />;
}

export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const text = value === undefined ? 'undefined' : JSON.stringify(value, null, 2);
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

/** A collapsible JSON value (closed by default). */
export function JsonDetails({ summary, value, open }: { summary: string; value: unknown; open?: boolean }) {
  const empty = value === null || value === undefined || (typeof value === 'object' && Object.keys(value as object).length === 0);
  return (
    <details className="json-details" open={open}>
      <summary>
        {summary}
        {empty ? <span className="muted"> (empty)</span> : null}
      </summary>
      <JsonBlock value={value} label={summary} />
    </details>
  );
}

export function ErrorNotice({ error, title }: { error: ApiError | Error | string | null | undefined; title?: string }) {
  if (!error) return null;
  const message = typeof error === 'string' ? error : error.message;
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong>{title} </strong> : null}
      {message}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children, icon = '✓' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden="true">
        {icon}
      </div>
      <h2>{title}</h2>
      {children ? <div className="empty-text">{children}</div> : null}
    </div>
  );
}

export function PageHeader({ title, children, sub }: { title: ReactNode; children?: ReactNode; sub?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-header-text">
        <h1>{title}</h1>
        {sub ? <div className="page-sub">{sub}</div> : null}
      </div>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

/** A modal confirmation built on <dialog> (focus is trapped and Escape closes it). */
export function ConfirmDialog({ open, title, children, confirmLabel, cancelLabel = 'Keep it', danger, busy, onConfirm, onClose }: { open: boolean; title: string; children: ReactNode; confirmLabel: string; cancelLabel?: string; danger?: boolean; busy?: boolean; onConfirm: () => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onClose={onClose} onCancel={onClose}>
      <h2 id="dialog-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} autoFocus>
          {cancelLabel}
        </button>
        <button type="button" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} onClick={onConfirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** Keeps a render error in one part of a page from blanking the whole app. */
export class ErrorBoundary extends Component<{ fallback: (error: Error) => ReactNode; children: ReactNode; resetKey?: unknown }, { error: Error | null; key: unknown }> {
  override state: { error: Error | null; key: unknown } = { error: null, key: undefined };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  static getDerivedStateFromProps(props: { resetKey?: unknown }, state: { error: Error | null; key: unknown }) {
    if (props.resetKey !== state.key) return { error: null, key: props.resetKey };
    return null;
  }
  override componentDidCatch() {
    /* handled by the fallback; nothing to log to the console */
  }
  override render() {
    return this.state.error ? this.props.fallback(this.state.error) : this.props.children;
  }
}
