"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

/** Within this many pixels of the bottom counts as "at the bottom" (sub-pixel rounding, a stray wheel tick). */
const AT_BOTTOM_PX = 16;

const isAtBottom = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM_PX;

/**
 * A scrolling panel that follows new content while the reader is at the bottom, and stays
 * put once they scroll up (isScrolledUp then offers a way back). `content` is whatever
 * changes when new content is rendered: the panel scrolls after each change of it.
 *
 * Only the reader moving up stops the following, never the panel's layout changing (new
 * lines, a resize, a wider screen's larger type). Scroll events arrive a frame late, so a
 * move up is also noticed by comparing with where the panel was last put, before new
 * content would scroll it straight back down.
 */
export function useFollowTail<T extends HTMLElement>(content: unknown) {
  const ref = useRef<T>(null);
  const isFollowing = useRef(true);
  const lastScrollTop = useRef(0);
  const [isScrolledUp, setIsScrolledUp] = useState(false);

  /** Sticks to the bottom, unless the reader has just moved up. */
  const follow = useCallback((el: HTMLElement) => {
    if (!isFollowing.current) return;
    if (!isAtBottom(el) && el.scrollTop < lastScrollTop.current) {
      isFollowing.current = false;
      setIsScrolledUp(true);
      return;
    }
    el.scrollTop = el.scrollHeight;
    lastScrollTop.current = el.scrollTop;
  }, []);

  useLayoutEffect(() => {
    if (ref.current) follow(ref.current);
  }, [content, follow]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => follow(el));
    observer.observe(el);
    return () => observer.disconnect();
  }, [follow]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    if (isAtBottom(el)) isFollowing.current = true;
    else if (el.scrollTop < lastScrollTop.current) isFollowing.current = false;
    lastScrollTop.current = el.scrollTop;
    setIsScrolledUp(!isFollowing.current);
  }, []);

  const jumpToLatest = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    isFollowing.current = true;
    setIsScrolledUp(false);
    el.scrollTop = el.scrollHeight;
    lastScrollTop.current = el.scrollTop;
  }, []);

  return { ref, onScroll, isScrolledUp, jumpToLatest };
}
