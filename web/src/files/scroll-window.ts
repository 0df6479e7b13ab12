import { type RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface ScrollWindow {
  top: number;
  width: number;
  height: number;
}

/**
 * Where a scrolling box is scrolled to and how large it is, kept current on
 * scroll and resize: what a list that draws only its visible rows needs.
 */
export function useScrollWindow(box: RefObject<HTMLElement>): [ScrollWindow, () => void] {
  const [view, setView] = useState<ScrollWindow>({ top: 0, width: 1000, height: 800 });
  const update = () => {
    const el = box.current;
    if (el) setView({ top: el.scrollTop, width: el.clientWidth || 1000, height: el.clientHeight || 800 });
  };
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [view, update];
}

/** The items drawn for a window: those visible and `overscan` lines either side. */
export function visibleLines(view: ScrollWindow, lineHeight: number, lines: number, overscan: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(view.top / lineHeight) - overscan);
  const last = Math.min(lines, Math.ceil((view.top + view.height) / lineHeight) + overscan);
  return { first, last };
}
