"use client";

import { useSyncExternalStore, type ComponentProps } from "react";

const subscribe = () => () => {};

/**
 * A submit button that stays disabled until React has hydrated the page. Before that the form
 * has no onSubmit handler, and a click (or Enter in a field) would make the browser submit it
 * natively: a GET to the page's own URL with every field in the query string, password included
 * (seen on CI: /signup?email=…&password=…). A disabled default button blocks implicit submission
 * too, and Playwright's click waits for it to be enabled.
 */
export function SubmitButton({ disabled, ...props }: ComponentProps<"button">) {
  const isHydrated = useSyncExternalStore(subscribe, () => true, () => false);
  return <button {...props} type="submit" disabled={disabled || !isHydrated} />;
}
