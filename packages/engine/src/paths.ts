/**
 * Step paths (docs/workflows.md "Step paths"): names from the top down joined by "/", "[i]" after a foreach's name per
 * iteration, and "fallback" for an action step's fallback list: `review`, `hosts[2]/isolate`,
 * `isolate/fallback/notify`. Paths never contain ":" or "#".
 */
export interface PathSegment {
  /** a step name, or "fallback" */
  name: string;
  /** the foreach iteration, when this segment is a loop's child scope */
  iteration?: number;
}

// a step name is any text without "/", "#", ":", "[", "]" or control characters (spaces allowed: `open ticket`)
const SEGMENT = /^([^/#:[\]\u0000-\u001f\u007f]+?)(?:\[(\d+)\])?$/;

export function parsePath(path: string): PathSegment[] {
  return path.split('/').map((part) => {
    const m = SEGMENT.exec(part);
    if (!m) throw new Error(`invalid step path "${path}"`);
    return m[2] === undefined ? { name: m[1] } : { name: m[1], iteration: Number(m[2]) };
  });
}

export function formatPath(segments: PathSegment[]): string {
  return segments.map((s) => (s.iteration === undefined ? s.name : `${s.name}[${s.iteration}]`)).join('/');
}

/** The path of a child scope: `prefix/name`, or just `name` at the top. */
export function joinPath(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** `<path>#<attempt>`: the continuation stored on an execution and the tail of a step job id. */
export function stepKey(path: string, attempt: number): string {
  return `${path}#${attempt}`;
}

export function parseStepKey(key: string): { path: string; attempt: number } {
  const i = key.lastIndexOf('#');
  return { path: key.slice(0, i), attempt: Number(key.slice(i + 1)) };
}
