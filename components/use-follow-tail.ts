"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

/** Within this many pixels of the bottom counts as "at the bottom" (sub-pixel rounding, a stray wheel tick). */
const AT_BOTTOM_PX = 16;

/**
 * A scrolling panel that follows new content while the reader is at the bottom, and stays
 * put once they scroll up (isScrolledUp then offers a way back). `content` is whatever
 * changes when new content is rendered: the panel scrolls after each change of it.
 */
export function useFollowTail<T extends HTMLElement>(content: unknown) {
  const ref = useRef<T>(null);
  const isFollowing = useRef(true);
  const [isScrolledUp, setIsScrolledUp] = useState(false);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && isFollowing.current) el.scrollTop = el.scrollHeight;
  }, [content]);

  // A panel that changes size (the window narrows, the page reflows) keeps its scrollTop, so
  // it would no longer be at the bottom and the scroll event that follows would stop the
  // following. Resize observations come before that event: stick to the bottom first.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (isFollowing.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const isAtBottom = el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM_PX;
    isFollowing.current = isAtBottom;
    setIsScrolledUp(!isAtBottom);
  }, []);

  const jumpToLatest = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    isFollowing.current = true;
    setIsScrolledUp(false);
    el.scrollTop = el.scrollHeight;
  }, []);

  return { ref, onScroll, isScrolledUp, jumpToLatest };
}
