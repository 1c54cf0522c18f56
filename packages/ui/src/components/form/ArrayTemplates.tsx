/**
 * rjsf's array templates with text buttons ("Add Indicator", "Remove", "Move up", "Move down"), whose
 * accessible names are their visible text: rjsf's own are Bootstrap glyph icons, and no glyph font is
 * loaded. Items are numbered "#1", "#2" (SchemaForm's uiSchema titles them); after an add or a remove
 * the keyboard focus goes to the new item, or to the item now in the removed one's place.
 */
import { getTemplate, getUiOptions, type ArrayFieldItemButtonsTemplateProps, type ArrayFieldItemTemplateProps, type ArrayFieldTemplateProps, type IconButtonProps } from '@rjsf/utils';
import { useLayoutEffect, useRef, type MouseEvent } from 'react';

const FOCUSABLE = 'input:not([type=hidden]), textarea, select, button';

/** A plain text button for rjsf's button templates. `title` is dropped: the visible text is the name. */
function textButton(text: string, extraClass = '') {
  return function TextButton(props: IconButtonProps) {
    const { iconType: _iconType, icon: _icon, uiSchema: _uiSchema, registry: _registry, className, title: _title, ...rest } = props;
    return (
      <button type="button" {...rest} className={`btn btn-sm ${extraClass} ${className ?? ''}`.trim()}>
        {text}
      </button>
    );
  };
}

export const ButtonTemplates = {
  AddButton: textButton('Add', 'btn-add'),
  CopyButton: textButton('Copy'),
  MoveUpButton: textButton('Move up'),
  MoveDownButton: textButton('Move down'),
  RemoveButton: textButton('Remove', 'btn-remove'),
  ClearButton: textButton('Clear'),
};

/** What the add button adds: the items' title, else the array's. */
function addLabel(schema: any, title: string | undefined): string {
  const items = schema?.items && typeof schema.items === 'object' && !Array.isArray(schema.items) ? schema.items : null;
  const what = (typeof items?.title === 'string' && items.title.trim()) || (title ?? '').trim() || (typeof schema?.title === 'string' ? schema.title.trim() : '');
  return what ? `Add ${what}` : 'Add';
}

/** The description of a list's items (not groups of fields, which show their own), shown once for the list. */
function itemsDescription(schema: any): string | undefined {
  const items = schema?.items;
  if (!items || typeof items !== 'object' || Array.isArray(items) || items.type === 'object' || items.properties) return undefined;
  return typeof items.description === 'string' && items.description.trim() ? items.description : undefined;
}

export function ArrayFieldTemplate(props: ArrayFieldTemplateProps) {
  const { canAdd, className, disabled, fieldPathId, uiSchema, items, optionalDataControl, onAddClick, readonly, registry, required, schema, title } = props;
  const uiOptions = getUiOptions(uiSchema);
  const ArrayFieldDescriptionTemplate = getTemplate('ArrayFieldDescriptionTemplate', registry, uiOptions);
  const ArrayFieldTitleTemplate = getTemplate('ArrayFieldTitleTemplate', registry, uiOptions);
  const listRef = useRef<HTMLDivElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  // Where the focus goes once the list has re-rendered after an add, a remove or a move: an item (its
  // first control, or for a move its Move up / Move down button while it can still move that way), or
  // the add button when no item is left. Without this the focus would fall back to the page.
  const pending = useRef<{ index: number; move?: 'up' | 'down' } | null>(null);
  const count = items.length;

  useLayoutEffect(() => {
    const p = pending.current;
    if (!p) return;
    pending.current = null;
    const rows = listRef.current ? Array.from(listRef.current.querySelectorAll<HTMLElement>(':scope > .array-item')) : [];
    const row = rows.length ? rows[Math.max(0, Math.min(p.index, rows.length - 1))] : undefined;
    let target: HTMLElement | null | undefined = null;
    if (row && p.move) {
      const up = row.querySelector<HTMLButtonElement>('.array-item-move-up');
      const down = row.querySelector<HTMLButtonElement>('.array-item-move-down');
      const order = p.move === 'up' ? [up, down] : [down, up];
      target = order.find((b) => b && !b.disabled);
    }
    target ??= row?.querySelector<HTMLElement>(FOCUSABLE) ?? addRef.current;
    target?.focus();
  });

  // A click on an item's Remove / Move button: note where the focus should go once the list changed.
  const onListClick = (e: MouseEvent<HTMLDivElement>) => {
    const button = (e.target as HTMLElement).closest('button');
    const row = button?.closest('.array-item');
    if (!button || !row || row.parentElement !== listRef.current || (button as HTMLButtonElement).disabled) return;
    const index = Array.from(listRef.current!.children).indexOf(row);
    if (button.classList.contains('array-item-remove')) pending.current = { index };
    else if (button.classList.contains('array-item-move-up')) pending.current = { index: index - 1, move: 'up' };
    else if (button.classList.contains('array-item-move-down')) pending.current = { index: index + 1, move: 'down' };
  };

  const showOptionalDataControlInTitle = !readonly && !disabled;
  const label = addLabel(schema, uiOptions.title || title);
  return (
    <fieldset className={`${className ?? ''} array-field`.trim()} id={fieldPathId.$id}>
      <ArrayFieldTitleTemplate fieldPathId={fieldPathId} title={uiOptions.title || title} required={required} schema={schema} uiSchema={uiSchema} registry={registry} optionalDataControl={showOptionalDataControlInTitle ? optionalDataControl : undefined} />
      <ArrayFieldDescriptionTemplate fieldPathId={fieldPathId} description={uiOptions.description || schema.description || itemsDescription(schema)} schema={schema} uiSchema={uiSchema} registry={registry} />
      {!showOptionalDataControlInTitle ? optionalDataControl : null}
      {/* the click handler only notes which item a Remove button removed; the buttons are the controls */}
      <div className="array-item-list" ref={listRef} onClick={onListClick}>
        {items}
      </div>
      {canAdd ? (
        <div className="array-item-add">
          <button
            type="button"
            ref={addRef}
            id={`${fieldPathId.$id}__add`}
            className="btn btn-sm btn-add"
            disabled={disabled || readonly}
            onClick={(e) => {
              pending.current = { index: count };
              onAddClick(e);
            }}
          >
            {label}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}

export function ArrayFieldItemTemplate(props: ArrayFieldItemTemplateProps) {
  const { children, className, buttonsProps, hasToolbar, registry, uiSchema, index } = props;
  const uiOptions = getUiOptions(uiSchema);
  const ArrayFieldItemButtonsTemplate = getTemplate('ArrayFieldItemButtonsTemplate', registry, uiOptions);
  return (
    <div className={`${className ?? ''} array-item`.trim()} data-index={index}>
      <div className="array-item-body">{children}</div>
      {hasToolbar ? (
        <div className="array-item-toolbox">
          <ArrayFieldItemButtonsTemplate {...buttonsProps} />
        </div>
      ) : null}
    </div>
  );
}

/** Move up / Move down only when the list can be reordered, then Remove; no icon, no copy unless asked. */
export function ArrayFieldItemButtonsTemplate(props: ArrayFieldItemButtonsTemplateProps) {
  const { disabled, hasCopy, hasMoveDown, hasMoveUp, hasRemove, fieldPathId, onCopyItem, onRemoveItem, onMoveDownItem, onMoveUpItem, readonly, registry, uiSchema } = props;
  const { CopyButton, MoveDownButton, MoveUpButton, RemoveButton } = registry.templates.ButtonTemplates;
  const off = disabled || readonly;
  const id = (what: string) => `${fieldPathId.$id}__${what}`;
  // The buttons' names are their text; which item they act on ("#2") is their description: the item's
  // label (a field) or legend (a group of fields), as SchemaForm's FieldTemplate and rjsf's TitleField id them.
  const describedBy = `${fieldPathId.$id}__label ${fieldPathId.$id}__title`;
  return (
    <>
      {hasMoveUp || hasMoveDown ? <MoveUpButton id={id('moveUp')} className="array-item-move-up" disabled={off || !hasMoveUp} onClick={onMoveUpItem} uiSchema={uiSchema} registry={registry} aria-describedby={describedBy} /> : null}
      {hasMoveUp || hasMoveDown ? <MoveDownButton id={id('moveDown')} className="array-item-move-down" disabled={off || !hasMoveDown} onClick={onMoveDownItem} uiSchema={uiSchema} registry={registry} aria-describedby={describedBy} /> : null}
      {hasCopy ? <CopyButton id={id('copy')} className="array-item-copy" disabled={off} onClick={onCopyItem} uiSchema={uiSchema} registry={registry} aria-describedby={describedBy} /> : null}
      {hasRemove ? <RemoveButton id={id('remove')} className="array-item-remove" disabled={off} onClick={onRemoveItem} uiSchema={uiSchema} registry={registry} aria-describedby={describedBy} /> : null}
    </>
  );
}
