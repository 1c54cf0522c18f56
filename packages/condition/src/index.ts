// Interface placeholder: the real implementation replaces this file.
export class ConditionError extends Error {
  constructor(message: string, public readonly condition: string, public readonly position: number) {
    super(message);
    this.name = 'ConditionError';
  }
}
export type KqlNode = unknown;
export function parseKql(_text: string): KqlNode { throw new Error('not implemented'); }
export function evaluateKql(_node: KqlNode, _data: unknown): boolean { throw new Error('not implemented'); }
export function checkCondition(_value: unknown): ConditionError | Error | null { throw new Error('not implemented'); }
export function evaluateCondition(_value: string | boolean, _ctx: object): boolean { throw new Error('not implemented'); }
