import { buildContext, formatPath, parsePath, type LoopView, type TemplateContext } from '@flowgate/engine';
import type { Loaded } from './transitions';
import type { Runtime } from './runtime';

/** The template context a step at `path` sees: the execution, the records so far, its innermost loop. */
export async function contextFor(rt: Runtime, loaded: Loaded, path: string): Promise<TemplateContext> {
  return buildContext({
    definition: loaded.definition,
    execution: loaded.exec,
    records: [...loaded.records.values()],
    loop: await loopFor(rt, loaded, path),
    whileLoop: whileFor(loaded, path),
    publicUrl: rt.publicUrl,
  });
}

/** The innermost loop of `type` around `path`: its container's path and the iteration `path` is in. */
function innermostLoop(loaded: Loaded, path: string, type: 'foreach' | 'while'): { containerPath: string; iteration: number } | undefined {
  const segments = parsePath(path);
  for (let i = segments.length - 2; i >= 0; i--) {
    const seg = segments[i];
    if (seg.iteration === undefined || loaded.plan.locate(seg.name).step.type !== type) continue;
    return { containerPath: formatPath([...segments.slice(0, i), { name: seg.name }]), iteration: seg.iteration };
  }
  return undefined;
}

/** The innermost while around `path`: its iteration. */
function whileFor(loaded: Loaded, path: string): { iteration: number } | undefined {
  const loop = innermostLoop(loaded, path, 'while');
  return loop && { iteration: loop.iteration };
}

/** The innermost foreach around `path`, with its items (kept apart from the records, see docs/storage.md). */
async function loopFor(rt: Runtime, loaded: Loaded, path: string): Promise<LoopView | undefined> {
  const loop = innermostLoop(loaded, path, 'foreach');
  if (!loop) return undefined;
  const items = await rt.executions.loadLoopItems(loaded.exec.id, loop.containerPath);
  return { item: items[loop.iteration] ?? null, index: loop.iteration, total: items.length };
}
