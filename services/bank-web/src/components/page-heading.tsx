import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

// The first screen after a page load keeps the browser's natural start (Tab from the top).
let firstScreen = true;

/**
 * Each screen's h1. On a screen change focus moves here (and the title follows), so screen readers
 * announce the new screen and the next Tab starts from its top instead of the old link.
 */
export function PageHeading({ title, children }: { title: string; children?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Bank`;
    if (firstScreen) firstScreen = false;
    else ref.current?.focus();
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}
