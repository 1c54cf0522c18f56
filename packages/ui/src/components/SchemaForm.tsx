/**
 * A form drawn from a JSON Schema with @rjsf/core, or a JSON editor when the schema uses what a
 * generated form cannot draw well (oneOf/anyOf/allOf/$ref/if-then/not, type unions) or rjsf throws.
 * Server-side validation errors (400 validation_failed, paths like /approved) are shown next to
 * their fields (rjsf extraErrors) and in a summary. The browser's own checks speak of fields by their
 * titles (form/messages.ts); arrays have text buttons and numbered items (form/ArrayTemplates.tsx); a
 * yes/no schema (one required boolean, optional notes) is answered in one click (form/QuickAnswer.tsx).
 */
import Form from '@rjsf/core';
import type { ErrorSchema, FieldTemplateProps, RJSFSchema, RJSFValidationError, UiSchema, WidgetProps } from '@rjsf/utils';
import { forwardRef, useImperativeHandle, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { ErrorDetail, JSONSchema } from '../lib/api';
import { validateJson, type AjvLikeError } from '../lib/json-validate';
import { ErrorBoundary } from './common';
import { ArrayFieldItemButtonsTemplate, ArrayFieldItemTemplate, ArrayFieldTemplate, ButtonTemplates } from './form/ArrayTemplates';
import { QuickAnswer } from './form/QuickAnswer';
import { quickAnswerShape } from './form/quick-answer';
import { humanValidator } from './form/validator';
import './form/schema-form.css';

const UNDRAWABLE = new Set(['oneOf', 'anyOf', 'allOf', '$ref', 'if', 'then', 'else', 'not', 'dependencies', 'dependentSchemas', 'dependentRequired', 'patternProperties', 'unevaluatedProperties', 'prefixItems', '$defs', 'definitions']);

/** Why a generated form cannot draw `schema` well, or null when it can. */
export function undrawableReason(schema: unknown): string | null {
  const walk = (s: any, path: string): string | null => {
    if (s === true || s === false || s == null) return null;
    if (typeof s !== 'object' || Array.isArray(s)) return `${path || 'the schema'} is not a schema object`;
    for (const k of Object.keys(s)) if (UNDRAWABLE.has(k)) return `${path || 'the schema'} uses ${k}`;
    if (Array.isArray(s.type)) return `${path || 'the schema'} allows several types`;
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      const r = walk(sub, `${path}/${name}`);
      if (r) return r;
    }
    if (s.items && !Array.isArray(s.items)) {
      const r = walk(s.items, `${path}/items`);
      if (r) return r;
    } else if (Array.isArray(s.items)) return `${path}/items is a tuple`;
    if (s.additionalProperties && typeof s.additionalProperties === 'object') return `${path || 'the schema'} has typed additionalProperties`;
    return null;
  };
  if (!schema || typeof schema !== 'object') return 'there is no schema';
  const s = schema as any;
  if (s.type !== undefined && s.type !== 'object') return 'the answer is not an object';
  const deep = walk(s, '');
  if (deep) return deep;
  if (!s.properties || Object.keys(s.properties).length === 0) return 'the schema declares no fields';
  return null;
}

const LONG_TEXT = /^(notes?|comments?|reason|rationale|description|justification|details|message|summary)$/i;

/** What an enum's select shows while nothing is chosen. */
export const CHOOSE = 'Choose…';

/**
 * Radios for booleans (a decision, not a checkbox that cannot say "no"), textareas for notes, a
 * "Choose…" first option for selects, and array items titled by their number ("#1", "#2").
 */
export function uiSchemaFor(schema: any, name = ''): UiSchema {
  const ui: any = {};
  if (!schema || typeof schema !== 'object') return ui;
  if (schema.type === 'boolean') {
    ui['ui:widget'] = 'radio';
    ui['ui:options'] = { inline: true };
  } else if (schema.type === 'string' && !schema.enum && !schema.format && (LONG_TEXT.test(name) || (schema.maxLength ?? 0) > 200)) {
    ui['ui:widget'] = 'textarea';
    ui['ui:options'] = { rows: 3 };
  } else if (Array.isArray(schema.enum) && schema.type !== 'boolean') {
    ui['ui:placeholder'] = CHOOSE;
  }
  if (schema.type === 'object' && schema.properties) {
    for (const [k, sub] of Object.entries(schema.properties)) ui[k] = uiSchemaFor(sub, k);
  }
  if (schema.type === 'array' && schema.items && !Array.isArray(schema.items)) {
    const item = uiSchemaFor(schema.items, name);
    // A list of choices (enum items, unique) is one multi-select, whose options rjsf reads from a static
    // items uiSchema; any other list numbers its items.
    const multiSelect = schema.uniqueItems === true && Array.isArray(schema.items.enum);
    ui.items = multiSelect ? item : (_item: unknown, index: number) => ({ ...item, 'ui:title': `#${index + 1}` });
  }
  return ui;
}

/** Server error paths ("/a/b", "" for the root) → an rjsf ErrorSchema. */
export function detailsToErrorSchema(details: ErrorDetail[]): ErrorSchema {
  const root: any = {};
  for (const d of details) {
    const parts = String(d.path ?? '').split('/').filter((p) => p !== '').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node = root;
    for (const p of parts) node = node[p] ??= {};
    (node.__errors ??= []).push(detailMessage(d));
  }
  return root;
}

/**
 * The server's message without the field it may start with, as a JSON pointer or a dotted name
 * ("/risk must be <= 10" or "risk must be <= 10" → "must be <= 10"), since the field is shown beside it.
 */
export function detailMessage(d: ErrorDetail): string {
  const m = String(d.message ?? d.keyword ?? 'is invalid');
  const path = String(d.path ?? '');
  for (const prefix of [path, path.replace(/^\//, '')]) {
    if (prefix && m.startsWith(`${prefix} `)) return m.slice(prefix.length + 1);
  }
  return m;
}

/** "/approved" → the field's title when the schema has one. */
export function fieldLabel(schema: JSONSchema | null | undefined, path: string | undefined): string {
  const parts = String(path ?? '').split('/').filter((p) => p !== '');
  if (parts.length === 0) return 'Answer';
  let s: any = schema;
  const names: string[] = [];
  for (const p of parts) {
    s = s?.properties?.[p] ?? (s?.items && /^\d+$/.test(p) ? s.items : undefined);
    names.push(s?.title ?? p);
  }
  return names.join(' › ');
}

export interface SchemaFormHandle {
  focus: () => void;
}

interface Props {
  id: string;
  schema: JSONSchema | null;
  /** Errors from the server's last answer (400 validation_failed details). */
  serverErrors: ErrorDetail[];
  submitLabel: string;
  busy: boolean;
  disabled?: boolean;
  onSubmit: (data: unknown) => void;
  /** Extra content under the fields (before the submit button). */
  footer?: ReactNode;
  /**
   * Answer a yes/no schema (one required boolean, optional notes) with two buttons, as a
   * waitForApproval step is answered (default true); the full form stays one switch away.
   */
  oneClick?: boolean;
}

type Mode = 'quick' | 'form' | 'json';
const MODE_LABELS: Record<Mode, string> = { quick: 'Buttons', form: 'Form', json: 'JSON' };

/** Picks the one-click buttons, the generated form or the JSON editor, with a switch between those that work. */
export const SchemaForm = forwardRef<SchemaFormHandle, Props>(function SchemaForm(props, ref) {
  const reason = useMemo(() => undrawableReason(props.schema), [props.schema]);
  const shape = useMemo(() => (props.oneClick === false || reason ? null : quickAnswerShape(props.schema)), [props.schema, props.oneClick, reason]);
  const [mode, setMode] = useState<Mode>(shape ? 'quick' : reason ? 'json' : 'form');
  const [crashed, setCrashed] = useState<string | null>(null);
  const [json, setJson] = useState<string>(() => JSON.stringify(defaultsOf(props.schema), null, 2));
  const [formData, setFormData] = useState<any>(undefined);
  const containerRef = useRef<HTMLDivElement>(null);

  useImperativeHandle(ref, () => ({
    focus: () => {
      const root = containerRef.current;
      // A one-click answer focuses its "Yes" button, as a waitForApproval focuses its approve button.
      const el = root?.querySelector<HTMLElement>('.quick-answer button.btn-approve') ?? root?.querySelector<HTMLElement>('input:not([type=hidden]), textarea, select, button[type=submit]');
      el?.focus();
      containerRef.current?.scrollIntoView({ block: 'center' });
    },
  }));

  const modes: Mode[] = [...(shape ? (['quick'] as const) : []), ...(!reason && !crashed ? (['form'] as const) : []), 'json'];
  const effective: Mode = modes.includes(mode) ? mode : 'json';
  const switchTo = (m: Mode) => {
    if (m === 'json' && formData !== undefined) setJson(JSON.stringify(formData, null, 2));
    if (m !== 'json' && effective === 'json') {
      try {
        setFormData(JSON.parse(json));
      } catch {
        /* keep the form's own data */
      }
    }
    setMode(m);
  };
  const notesName = shape?.notes;
  const notes = notesName !== undefined && formData && typeof formData === 'object' && typeof formData[notesName] === 'string' ? (formData[notesName] as string) : '';
  const setNotes = (v: string) => {
    if (notesName === undefined) return;
    const base = formData && typeof formData === 'object' && !Array.isArray(formData) ? { ...formData } : {};
    if (v === '') delete base[notesName];
    else base[notesName] = v;
    setFormData(base);
  };

  return (
    <div className="schema-form" ref={containerRef}>
      {modes.length > 1 ? (
        <div className="mode-row">
          <div className="mode-switch" role="group" aria-label="Answer with">
            {modes.map((m) => (
              <button key={m} type="button" className={effective === m ? 'active' : ''} aria-pressed={effective === m} onClick={() => switchTo(m)}>
                {MODE_LABELS[m]}
              </button>
            ))}
          </div>
        </div>
      ) : null}
      {effective === 'quick' && shape ? (
        <QuickAnswer id={props.id} schema={props.schema} shape={shape} notes={notes} setNotes={setNotes} serverErrors={props.serverErrors} serverMessage={detailMessage} busy={props.busy} disabled={props.disabled} onSubmit={props.onSubmit} footer={props.footer} />
      ) : effective === 'form' ? (
        <ErrorBoundary fallback={() => null} resetKey={props.schema}>
          <CrashCatcher onCrash={(e) => setCrashed(e)}>
            <GeneratedForm {...props} formData={formData} setFormData={setFormData} />
          </CrashCatcher>
        </ErrorBoundary>
      ) : (
        <JsonEditor {...props} text={json} setText={setJson} note={crashed ? `The form could not be drawn (${crashed}); answer in JSON.` : reason && props.schema ? `This schema cannot be drawn as a form (${reason}); answer in JSON. It is checked against the schema before it is sent.` : null} />
      )}
    </div>
  );
});

function CrashCatcher({ onCrash, children }: { onCrash: (message: string) => void; children: ReactNode }) {
  return (
    <ErrorBoundary
      fallback={(e) => {
        queueMicrotask(() => onCrash(e.message));
        return null;
      }}
    >
      {children}
    </ErrorBoundary>
  );
}

function defaultsOf(schema: any): unknown {
  if (!schema || typeof schema !== 'object') return {};
  if (schema.default !== undefined) return schema.default;
  if (schema.type === 'object' || schema.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries<any>(schema.properties ?? {})) {
      if (sub && typeof sub === 'object' && sub.default !== undefined) out[k] = sub.default;
      else if (sub?.type === 'object' && sub.properties && (schema.required ?? []).includes(k)) out[k] = defaultsOf(sub);
    }
    return out;
  }
  return {};
}

/** A field layout with the label, the control, the description and the field's errors, accessibly linked. */
function FieldTemplate(props: FieldTemplateProps) {
  const { id, classNames, label, required, description, errors, help, children, hidden, displayLabel, rawErrors, schema } = props;
  if (hidden) return <div className="hidden">{children}</div>;
  const isObject = schema.type === 'object';
  const hasErrors = (rawErrors?.length ?? 0) > 0;
  // An item of a list ("#1") is not "required": the list is, or says how many it needs.
  const path = props.fieldPathId?.path ?? [];
  const isItem = typeof path[path.length - 1] === 'number';
  const star = required && !isItem ? <span className="req" aria-label="required"> *</span> : null;
  return (
    <div className={`field ${classNames ?? ''}${hasErrors ? ' field-invalid' : ''}${isObject ? ' field-object' : ''}`} data-field-id={id}>
      {displayLabel && label && !isObject && schema.type !== 'boolean' && (props.uiSchema as any)?.['ui:widget'] !== 'radio' ? (
        <label htmlFor={id} id={`${id}__label`} className="field-label">
          {label}
          {star}
        </label>
      ) : null}
      {displayLabel && label && (schema.type === 'boolean' || (props.uiSchema as any)?.['ui:widget'] === 'radio') ? (
        <div className="field-label" id={`${id}__label`}>
          {label}
          {star}
        </div>
      ) : null}
      {/* a list's items share their description: the list shows it once (form/ArrayTemplates.tsx); each item keeps it for screen readers */}
      {displayLabel && description && !isObject ? isItem ? <div className="sr-only">{description}</div> : description : null}
      {children}
      {errors}
      {help}
    </div>
  );
}

/** Radio buttons as a labelled radiogroup (the field's label names the group). */
function RadioWidget({ id, options, value, disabled, readonly, onChange, onBlur, onFocus, rawErrors }: WidgetProps) {
  const enumOptions = (options.enumOptions ?? []) as { label: string; value: unknown }[];
  return (
    <div className="field-radio-group" id={id} role="radiogroup" aria-labelledby={`${id}__label`} aria-invalid={(rawErrors?.length ?? 0) > 0 || undefined}>
      {enumOptions.map((o, i) => (
        <label key={String(o.value)} className={value === o.value ? 'checked' : undefined}>
          <input
            type="radio"
            id={`${id}-${i}`}
            name={id}
            checked={value === o.value}
            disabled={disabled || readonly}
            onChange={() => onChange(o.value)}
            onBlur={() => onBlur(id, value)}
            onFocus={() => onFocus(id, value)}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </div>
  );
}

function ErrorListTemplate({ errors }: { errors: RJSFValidationError[] }) {
  return (
    <div className="notice notice-error form-errors" role="alert">
      <strong>Please fix {errors.length === 1 ? 'this' : `these ${errors.length}`} before sending:</strong>
      <ul>
        {errors.map((e, i) => (
          <li key={i}>{e.stack}</li>
        ))}
      </ul>
    </div>
  );
}


function GeneratedForm({ id, schema, serverErrors, submitLabel, busy, disabled, onSubmit, footer, formData, setFormData }: Props & { formData: any; setFormData: (d: any) => void }) {
  const uiSchema = useMemo(() => ({ ...uiSchemaFor(schema), 'ui:submitButtonOptions': { norender: true } }) as UiSchema, [schema]);
  const extraErrors = useMemo(() => (serverErrors.length ? detailsToErrorSchema(serverErrors) : undefined), [serverErrors]);
  const [submitted, setSubmitted] = useState(false);
  return (
    <Form
      id={id}
      idPrefix={`${id}-f`}
      className="rjsf"
      schema={schema as RJSFSchema}
      uiSchema={uiSchema}
      // Errors as plain sentences naming the field by its title, beside the field and in the list (no path, no regex).
      validator={humanValidator}
      formData={formData}
      onChange={(e) => setFormData(e.formData)}
      onSubmit={(e) => onSubmit(e.formData ?? {})}
      onError={() => setSubmitted(true)}
      extraErrors={extraErrors}
      showErrorList="top"
      liveValidate={submitted ? 'onChange' : undefined}
      noHtml5Validate
      focusOnFirstError
      // A decision must be made, not defaulted: a required boolean starts unanswered (rjsf would preset false).
      experimental_defaultFormStateBehavior={{ requiredBooleanDefault: 'skip' }}
      disabled={disabled || busy}
      templates={{ FieldTemplate, ErrorListTemplate, ArrayFieldTemplate, ArrayFieldItemTemplate, ArrayFieldItemButtonsTemplate, ButtonTemplates: ButtonTemplates as any }}
      widgets={{ RadioWidget }}
    >
      {footer}
      <SubmitBar disabled={disabled || busy} busy={busy} label={submitLabel} />
    </Form>
  );
}

function JsonEditor({ id, schema, serverErrors, submitLabel, busy, disabled, onSubmit, footer, text, setText, note }: Props & { text: string; setText: (s: string) => void; note: string | null }) {
  const [local, setLocal] = useState<{ parse?: string; schema?: AjvLikeError[] } | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      setLocal({ parse: `Not valid JSON: ${(err as Error).message}` });
      return;
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      setLocal({ parse: 'The answer must be a JSON object, like {"approved": true}.' });
      return;
    }
    if (schema) {
      let errors: AjvLikeError[] = [];
      try {
        errors = validateJson(schema, data);
      } catch {
        errors = []; // a schema the browser cannot check: the server checks it
      }
      if (errors.length) {
        setLocal({ schema: errors });
        return;
      }
    }
    setLocal(null);
    onSubmit(data);
  };
  const problems = local?.schema ?? [];
  const textId = `${id}-json`;
  const hasError = !!local?.parse || problems.length > 0 || serverErrors.length > 0;
  return (
    <form id={id} className="json-editor" onSubmit={submit} noValidate>
      {note ? <p className="muted small">{note}</p> : null}
      {local?.parse ? (
        <div className="notice notice-error" role="alert">
          {local.parse}
        </div>
      ) : null}
      {problems.length ? (
        <div className="notice notice-error form-errors" role="alert">
          <strong>Please fix {problems.length === 1 ? 'this' : `these ${problems.length}`} before sending:</strong>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                <code>{p.keyword === 'required' ? `${p.instancePath}/${p.params.missingProperty}` : p.instancePath || '/'}</code> {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <label htmlFor={textId} className="field-label">
        Answer (JSON object)
      </label>
      <textarea
        id={textId}
        className="code-input"
        spellCheck={false}
        rows={Math.min(18, Math.max(6, text.split('\n').length + 1))}
        value={text}
        aria-invalid={hasError}
        onChange={(e) => {
          setText(e.target.value);
          if (local?.parse) setLocal(null);
        }}
        disabled={disabled || busy}
      />
      {schema ? (
        <details className="json-details">
          <summary>Expected schema</summary>
          <pre className="json" tabIndex={0} aria-label="Expected schema">
            {JSON.stringify(schema, null, 2)}
          </pre>
        </details>
      ) : null}
      {footer}
      <SubmitBar disabled={disabled || busy} busy={busy} label={submitLabel} />
    </form>
  );
}

/** The submit button under both the generated form and the JSON editor. */
function SubmitBar({ disabled, busy, label }: { disabled: boolean; busy: boolean; label: string }) {
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn-primary btn-lg" disabled={disabled}>
        {busy ? 'Sending…' : label}
      </button>
    </div>
  );
}
