// Interface placeholder: the real implementation replaces this file.
export class TemplateError extends Error {
  constructor(
    message: string,
    public readonly kind: 'syntax' | 'render' | 'limit',
    public readonly template: string,
    public readonly position?: { line: number; column: number; offset: number },
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}
export interface RenderOptions {
  /** applied to the text of every `{{ }}` output that is not the whole string (conditions quote them as KQL values) */
  escapeOutput?: (text: string) => string;
}
export function isTemplate(_text: string): boolean { throw new Error('not implemented'); }
export function checkTemplate(_text: string): TemplateError | null { throw new Error('not implemented'); }
export function renderString(_text: string, _ctx: object, _opts?: RenderOptions): unknown { throw new Error('not implemented'); }
export function renderDeep(_value: unknown, _ctx: object): unknown { throw new Error('not implemented'); }
export function stepReferences(_text: string): string[] { throw new Error('not implemented'); }
