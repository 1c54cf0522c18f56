/** Paths into the workflow document: segments, and their display form `steps[3].with.schema`. */

export type Segment = string | number;
export type Path = readonly Segment[];

const PLAIN_KEY = /^[A-Za-z_$@][A-Za-z0-9_$@-]*$/;

/** `['steps', 3, 'with', 'schema']` → `steps[3].with.schema`; odd keys are quoted: `query.term["host.name"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A JSON pointer (`/steps/3/with`) as segments; array indexes become numbers by looking at `data`. */
export function pointerToPath(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(key);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(key);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

/** The value at `path` in plain data, or undefined. */
export function getAt(data: unknown, path: Path): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
