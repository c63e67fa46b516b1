'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';

function readParams<T extends Record<string, string>>(defaults: T, params: URLSearchParams): T {
  const state = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T & string)[]) {
    const v = params.get(key);
    if (v !== null) state[key] = v as T[keyof T & string];
  }
  return state;
}

/**
 * Page state kept in the URL's query string, so a filtered, sorted view can be
 * bookmarked, shared and restored with the back button. Values equal to their
 * default are left out of the URL.
 *
 * The state itself lives in React and changes at once (typing stays smooth); the
 * URL follows it through the History API, which Next.js's router observes
 * without a navigation (a router navigation could suspend and remount the
 * page mid-typing, losing keystrokes). The state is read back from the URL only
 * on first render and on back/forward navigation.
 */
export function useUrlState<T extends Record<string, string>>(defaults: T): [T, (patch: Partial<T>) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const [state, setState] = useState<T>(() => readParams(defaults, params));
  const stateRef = useRef(state);
  const defaultsRef = useRef(defaults);

  useEffect(() => {
    const onPop = () => {
      const next = readParams(defaultsRef.current, new URLSearchParams(window.location.search));
      stateRef.current = next;
      setState(next);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const update = useCallback(
    (patch: Partial<T>) => {
      const next = { ...stateRef.current, ...patch };
      stateRef.current = next;
      setState(next);
      // Keys of other state on the page (another table's sort, say) stay as they are.
      const qs = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(next)) {
        if (v !== defaultsRef.current[k]) qs.set(k, v);
        else qs.delete(k);
      }
      const s = qs.toString();
      window.history.replaceState(null, '', s ? `${pathname}?${s}` : pathname);
    },
    [pathname],
  );
  return [state, update];
}
