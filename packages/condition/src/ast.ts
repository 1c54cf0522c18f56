/** The parsed form of a KQL condition. */
import type { Glob } from './glob';

/** One step of a field path: a property name; `index` when it can also index an array (`[0]` or `.0`). */
export interface PathSegment {
  key: string;
  index: number | null;
}

export type Pattern =
  /** unquoted `*` alone: the field exists and is not null */
  | { kind: 'exists' }
  /** quoted, or unquoted without `*`: String(field) equals the text */
  | { kind: 'exact'; text: string }
  /** unquoted with `*`: String(field) matches */
  | { kind: 'wildcard'; text: string; glob: Glob };

export type RangeOp = '>' | '>=' | '<' | '<=';

export type KqlNode =
  | { type: 'and'; children: KqlNode[] }
  | { type: 'or'; children: KqlNode[] }
  | { type: 'not'; child: KqlNode }
  | { type: 'match'; field: string; path: PathSegment[]; pattern: Pattern }
  | {
      type: 'range';
      field: string;
      path: PathSegment[];
      op: RangeOp;
      value: string;
      /** the value as a number, when it is one */
      number: number | null;
      /** the value as a time (ms), when it is an ISO 8601 date */
      time: number | null;
    };
