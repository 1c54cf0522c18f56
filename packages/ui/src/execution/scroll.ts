/**
 * On a phone the app's header (the sidebar, as a bar) is sticky: scrolling an element to the top of
 * the viewport would hide its first line under it. These scroll it just below the header instead.
 */

/** The height covered by the sticky app header at the top of the viewport (0 on a wide screen). */
export function stickyHeaderHeight(): number {
  const bar = document.querySelector<HTMLElement>('.sidebar');
  if (!bar) return 0;
  const style = getComputedStyle(bar);
  if (style.position !== 'sticky' && style.position !== 'fixed') return 0;
  const r = bar.getBoundingClientRect();
  // A full-height sidebar beside the content (wide screens) covers nothing above it.
  if (r.height >= window.innerHeight * 0.9) return 0;
  return Math.max(0, r.bottom);
}

/** Scrolls so that `el`'s top edge sits just under the sticky header (instantly: reduced motion is respected by not animating). */
export function scrollBelowHeader(el: Element | null, gap = 8): void {
  if (!el) return;
  const top = el.getBoundingClientRect().top + window.scrollY - stickyHeaderHeight() - gap;
  window.scrollTo({ top: Math.max(0, top), behavior: 'instant' as ScrollBehavior });
}
