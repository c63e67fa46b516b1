'use client';

import {
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnSizingState,
  type Row,
  type RowData,
  type Updater,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTableState, type TableState } from '../_lib/use-table-state';

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Right-aligned tabular figures. */
    numeric?: boolean;
    /** The reader may hide it from the "Columns" menu. */
    hideable?: boolean;
    /** Takes the width left over (the name column). */
    grow?: boolean;
    /** Cells may wrap onto several lines (lists inside a cell). */
    wrap?: boolean;
    /** Stays at the right edge when the table scrolls sideways (a row's actions). */
    pinEnd?: boolean;
  }
}

const ROW_HEIGHT = 36;
const HEADER_HEIGHT = 40;
/** Space kept below a table that fills the window (the page's padding). */
const BOTTOM_GAP = 24;
const MIN_HEIGHT = 6 * ROW_HEIGHT;

/** Rows from the server, one window of a longer sorted, filtered list. */
export interface RemoteRows {
  /** Rows in the whole list. */
  total: number;
  /** Index of `data[0]` in the whole list. */
  offset: number;
  /** Called with the indexes on screen, to fetch what is missing. */
  onRange(first: number, last: number): void;
}

export interface DataTableProps<T> {
  /** The table's accessible name. */
  label: string;
  columns: ColumnDef<T, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  data: readonly T[];
  getRowId: (row: T) => string;
  /** An accessible name per row (otherwise its cells' text). */
  rowLabel?: (row: T) => string;
  rowClassName?: (row: T) => string | undefined;
  /** Content opened under a row (a message viewer), across all its columns. */
  detail?: (row: T) => ReactNode;
  /** Sorting, filter and hidden columns; by default kept in the URL under `urlPrefix`. */
  state?: TableState;
  urlPrefix?: string;
  defaultSort?: { id: string; desc?: boolean };
  defaultHidden?: string[];
  /** Shows a filter box over the rows (client-side unless `remote`). */
  filterLabel?: string;
  /** Controls shown beside the filter (a vhost picker, counts). */
  toolbar?: ReactNode;
  /** Shown instead of rows when there are none. */
  empty?: ReactNode;
  /** Rows live on the server: sorting and filtering are done there. */
  remote?: RemoteRows;
  /**
   * 'fill': as many rows as the window holds, then it scrolls; 'content': every
   * row on the page (short lists inside cards). Both render only rows on screen.
   */
  height?: 'fill' | 'content';
}

/**
 * The console's one table: sortable, filterable, resizable and hideable
 * columns whose state lives in the URL, rows virtualised (only those on screen
 * are drawn), one scroll container holding a sticky header and a pinned first
 * column so the header stays over its columns when scrolled sideways, and
 * keyboard row navigation (arrows, Home/End, Page Up/Down; Enter follows the
 * row's first link).
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { label, columns, data, getRowId, remote, height = 'fill' } = props;
  const ownState = useTableState(props.urlPrefix, { sort: props.defaultSort?.id, desc: props.defaultSort?.desc, hidden: props.defaultHidden });
  const state = props.state ?? ownState;
  const [sizing, setSizing] = useState<ColumnSizingState>({});

  const table = useReactTable<T>({
    data: data as T[],
    columns,
    getRowId,
    state: { sorting: state.sorting, globalFilter: state.filter, columnVisibility: state.visibility, columnSizing: sizing },
    onSortingChange: (u: Updater<typeof state.sorting>) => state.setSorting(typeof u === 'function' ? u(state.sorting) : u),
    onGlobalFilterChange: (u: Updater<string>) => state.setFilter(typeof u === 'function' ? u(state.filter) : u),
    onColumnSizingChange: setSizing,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    manualSorting: remote !== undefined,
    manualFiltering: remote !== undefined,
    enableSortingRemoval: false,
    columnResizeMode: 'onChange',
    // No pagination or expansion to reset; left on, a new column list each render resets state, re-renders, and loops.
    autoResetAll: false,
    defaultColumn: { size: 110, minSize: 50 },
  });
  const rows = table.getRowModel().rows;
  const count = remote ? remote.total : rows.length;
  const rowAt = (i: number): Row<T> | undefined => (remote ? rows[i - remote.offset] : rows[i]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const firstShown = items[0]?.index ?? 0;
  const lastShown = items[items.length - 1]?.index ?? 0;
  const onRange = remote?.onRange;
  useEffect(() => onRange?.(firstShown, lastShown), [onRange, firstShown, lastShown]);

  const maxHeight = useFillHeight(scrollRef, height === 'fill');

  // Keyboard: one row is in the tab order; arrows move it.
  const [active, setActive] = useState(0);
  const focusRow = useRef(false);
  useEffect(() => {
    if (!focusRow.current) return;
    // The row may be drawn a render later, once the virtualiser has scrolled to it.
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${active}"]`);
    if (!row) return;
    focusRow.current = false;
    row.focus();
  });
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-row-index]');
    if (!row || row !== e.target) return; // keys inside a cell's input or button are theirs
    const at = Number(row.dataset.rowIndex);
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: count - 1, PageDown: at + page, PageUp: at - page }[e.key];
    if (e.key === 'Enter') {
      row.querySelector<HTMLElement>('a, button')?.click();
      e.preventDefault();
      return;
    }
    if (to === undefined) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(count - 1, to));
    virtualizer.scrollToIndex(next);
    focusRow.current = true;
    setActive(next);
  };

  const leafs = table.getVisibleLeafColumns();
  const template = leafs.map((c) => (c.columnDef.meta?.grow ? `minmax(${c.getSize()}px, 1fr)` : `${c.getSize()}px`)).join(' ');
  const width = table.getTotalSize();
  const hideable = table.getAllLeafColumns().filter((c) => c.columnDef.meta?.hideable);

  return (
    <div className="dtable-wrap">
      {(props.filterLabel || props.toolbar || hideable.length > 0) && (
        <div className="toolbar">
          {props.filterLabel && (
            <label>
              {props.filterLabel} <input type="search" value={state.filter} onChange={(e) => state.setFilter(e.target.value)} />
            </label>
          )}
          {props.toolbar}
          {hideable.length > 0 && (
            <details className="columns-menu">
              <summary>Columns</summary>
              <fieldset>
                <legend>Show columns</legend>
                {hideable.map((c) => (
                  <label key={c.id}>
                    <input
                      type="checkbox"
                      checked={c.getIsVisible()}
                      onChange={(e) => state.setHidden(e.target.checked ? state.hidden.filter((id) => id !== c.id) : [...state.hidden, c.id])}
                    />{' '}
                    {headerText(c.columnDef.header, c.id)}
                  </label>
                ))}
              </fieldset>
            </details>
          )}
        </div>
      )}
      {count === 0 && props.empty !== undefined ? (
        <div className="empty" role="status">
          {props.empty}
        </div>
      ) : (
        <div
          ref={scrollRef}
          className="dtable"
          role="table"
          aria-label={label}
          aria-rowcount={count + 1}
          tabIndex={-1}
          style={{ maxHeight: height === 'fill' ? maxHeight : undefined }}
          onKeyDown={onKeyDown}
        >
          <div className="dtable-inner" style={{ minWidth: width }}>
            <div role="rowgroup" className="dtable-head">
              {table.getHeaderGroups().map((group) => (
                <div key={group.id} role="row" aria-rowindex={1} className="drow" style={{ gridTemplateColumns: template, height: HEADER_HEIGHT }}>
                  {group.headers.map((h) => {
                    const sorted = h.column.getIsSorted();
                    const text = headerText(h.column.columnDef.header, h.column.id);
                    return (
                      <div
                        key={h.id}
                        role="columnheader"
                        className={['dcell', h.column.columnDef.meta?.numeric && 'num', h.column.columnDef.meta?.pinEnd && 'pin-end'].filter(Boolean).join(' ')}
                        aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                        title={text}
                      >
                        {h.column.getCanSort() ? (
                          <button type="button" onClick={h.column.getToggleSortingHandler()}>
                            {renderPart(h.column.columnDef.header, h.getContext())}
                            {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                          </button>
                        ) : (
                          renderPart(h.column.columnDef.header, h.getContext())
                        )}
                        {h.column.getCanResize() && (
                          <span
                            className="resizer"
                            aria-hidden="true"
                            onMouseDown={h.getResizeHandler()}
                            onTouchStart={h.getResizeHandler()}
                            onDoubleClick={() => h.column.resetSize()}
                          />
                        )}
                      </div>
                    );
                  })}
                </div>
              ))}
            </div>
            <div role="rowgroup" className="dtable-body" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const row = rowAt(item.index);
                return (
                  <div
                    key={row?.id ?? `#${item.index}`}
                    ref={virtualizer.measureElement}
                    data-index={item.index}
                    data-row-index={item.index}
                    role="row"
                    aria-rowindex={item.index + 2}
                    aria-label={row && props.rowLabel ? props.rowLabel(row.original) : undefined}
                    tabIndex={item.index === Math.min(active, count - 1) ? 0 : -1}
                    onFocus={() => setActive(item.index)}
                    className={['drow', row && props.rowClassName?.(row.original)].filter(Boolean).join(' ')}
                    style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, minHeight: ROW_HEIGHT }}
                  >
                    {row ? (
                      row.getVisibleCells().map((cell) => {
                        const meta = cell.column.columnDef.meta;
                        return (
                          <div
                            key={cell.id}
                            role="cell"
                            className={['dcell', meta?.numeric && 'num', meta?.wrap && 'wrap', meta?.pinEnd && 'pin-end'].filter(Boolean).join(' ')}
                          >
                            {renderPart(cell.column.columnDef.cell, cell.getContext())}
                          </div>
                        );
                      })
                    ) : (
                      <div role="cell" className="dcell muted">
                        Loading…
                      </div>
                    )}
                    {row && props.detail && <RowDetail>{props.detail(row.original)}</RowDetail>}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

function RowDetail({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === false) return null;
  return (
    <div role="cell" className="dcell wrap drow-detail">
      {children}
    </div>
  );
}

/** The header of a column of row buttons: named for screen readers, blank on screen. */
export const actionsHeader = () => <span className="sr-only">Actions</span>;

/**
 * A header or cell definition called as a plain function, not mounted as a
 * component (flexRender's way): column lists built during render would be a
 * new component type each time, remounting every cell (and losing the state
 * of forms in cells) once a second.
 */
function renderPart<C>(part: unknown, context: C): ReactNode {
  return typeof part === 'function' ? (part as (c: C) => ReactNode)(context) : (part as ReactNode);
}

/** A column's header as plain text (for hover titles and the Columns menu). */
function headerText(header: unknown, id: string): string {
  return typeof header === 'string' ? header : id;
}

/** The height that takes the table from where it starts to the bottom of the window. */
function useFillHeight(ref: React.RefObject<HTMLElement | null>, enabled: boolean): number | undefined {
  const [height, setHeight] = useState<number>();
  const [, setWindowHeight] = useState(0);
  // Measured after every render: the table may appear, or content above it may grow.
  useLayoutEffect(() => {
    if (!enabled || !ref.current) return;
    const top = ref.current.getBoundingClientRect().top + window.scrollY;
    const below = window.innerHeight - top - BOTTOM_GAP;
    // A table far down the page gets most of a window of its own instead.
    setHeight(below >= MIN_HEIGHT ? below : Math.max(MIN_HEIGHT, Math.round(window.innerHeight * 0.8)));
  });
  useEffect(() => {
    const onResize = () => setWindowHeight(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return height;
}
