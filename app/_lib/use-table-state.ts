'use client';

import type { SortingState, VisibilityState } from '@tanstack/react-table';
import { useUrlState } from './use-url-state';

export interface TableState {
  sorting: SortingState;
  setSorting(next: SortingState): void;
  filter: string;
  setFilter(next: string): void;
  /** Columns hidden by the reader (ids). */
  hidden: string[];
  setHidden(next: string[]): void;
  visibility: VisibilityState;
}

/**
 * A table's sorting, filter and hidden columns, kept in the URL so a view can
 * be bookmarked and shared: `sort`, `dir`, `filter` and `hide`, each under
 * `prefix` when a page has more than one table (e.g. `groups.sort`).
 */
export function useTableState(prefix = '', defaults: { sort?: string; desc?: boolean; hidden?: string[] } = {}): TableState {
  const k = (name: string) => `${prefix}${name}`;
  const [state, setState] = useUrlState({
    [k('sort')]: defaults.sort ?? '',
    [k('dir')]: defaults.desc ? 'desc' : 'asc',
    [k('filter')]: '',
    [k('hide')]: (defaults.hidden ?? []).join(','),
  });
  const sortId = state[k('sort')] ?? '';
  const hidden = (state[k('hide')] ?? '').split(',').filter(Boolean);
  return {
    sorting: sortId ? [{ id: sortId, desc: state[k('dir')] === 'desc' }] : [],
    setSorting: (next) => setState({ [k('sort')]: next[0]?.id ?? '', [k('dir')]: next[0]?.desc ? 'desc' : 'asc' }),
    filter: state[k('filter')] ?? '',
    setFilter: (next) => setState({ [k('filter')]: next }),
    hidden,
    setHidden: (next) => setState({ [k('hide')]: next.join(',') }),
    visibility: Object.fromEntries(hidden.map((id) => [id, false])),
  };
}
