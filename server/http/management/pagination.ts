/**
 * RabbitMQ's list parameters: `sort` (a field, dotted for nested ones, e.g.
 * message_stats.publish_details.rate) and `sort_reverse` on every list;
 * `page`, `page_size` (at most 500, default 100), `name` and `use_regex` on
 * the lists RabbitMQ pages (queues, exchanges, connections, channels,
 * vhosts), which then answer {filtered_count, item_count, items, page,
 * page_count, page_size, total_count}; `columns` keeps only the fields named.
 */
import { nameMatcher } from '../../api/name-filter';
import { ApiError, badRequest } from './errors';

export const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;

type Item = Record<string, unknown>;

function at(item: unknown, path: string[]): unknown {
  let value = item;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Item)[key] : undefined;
  return value;
}

/** Missing values first, then numbers, then text, as RabbitMQ's sort puts them. */
function compare(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === undefined || v === null ? 0 : typeof v === 'number' ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number) - (b as number);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function sorted(items: Item[], query: URLSearchParams): Item[] {
  const sort = query.get('sort');
  const keys = sort ? [sort.split('.')] : 'vhost' in (items[0] ?? {}) ? [['vhost'], ['name']] : [['name']];
  const sign = query.get('sort_reverse') === 'true' ? -1 : 1;
  return [...items].sort((x, y) => {
    for (const key of keys) {
      const c = compare(at(x, key), at(y, key));
      if (c !== 0) return sign * c;
    }
    return 0;
  });
}

/** Keeps the named fields (dotted for nested ones) of each item. */
function onlyColumns(item: Item, columns: string[][]): Item {
  const out: Item = {};
  for (const path of columns) {
    const value = at(item, path);
    if (value === undefined) continue;
    let into = out;
    for (const key of path.slice(0, -1)) into = (into[key] ??= {}) as Item;
    into[path[path.length - 1]!] = value; // split() gave each path at least one key
  }
  return out;
}

export function withColumns<T>(body: T, query: URLSearchParams): T | Item | Item[] {
  const raw = query.get('columns');
  if (!raw) return body;
  const columns = raw
    .split(',')
    .filter(Boolean)
    .map((c) => c.split('.'));
  if (Array.isArray(body)) return body.map((item) => onlyColumns(item as Item, columns));
  return body !== null && typeof body === 'object' ? onlyColumns(body as Item, columns) : body;
}

function positiveInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`Pagination parameters are invalid: ${name} is '${raw}', give a whole number, e.g. ${name}=1.`);
  return Number(raw);
}

/** A list as the request asks for it: sorted, and paged and filtered by name when it gives `page`. */
export function listAnswer(items: Item[], query: URLSearchParams, options: { pages: boolean }): unknown {
  const page = options.pages ? positiveInteger(query, 'page') : undefined;
  if (page === undefined) return withColumns(sorted(items, query), query);
  const pageSize = positiveInteger(query, 'page_size') ?? DEFAULT_PAGE_SIZE;
  if (page < 1 || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new ApiError(
      400,
      'invalid_pagination_parameters',
      `Invalid pagination parameters: page number ${page}, page size ${pageSize}; pages count from 1 and hold 1 to ${MAX_PAGE_SIZE} items.`,
    );
  }
  const matches = nameMatcher(query.get('name') ?? '', query.get('use_regex') === 'true', 'name filter', 'items');
  const filtered = sorted(
    items.filter((item) => matches(String(item.name ?? ''))),
    query,
  );
  const pageCount = Math.max(1, Math.ceil(filtered.length / pageSize));
  if (page > pageCount) {
    throw new ApiError(
      400,
      'page_out_of_range',
      `Page out of range, page: ${page} page size: ${pageSize}, len: ${filtered.length}; the last page is ${pageCount}.`,
    );
  }
  const slice = filtered.slice((page - 1) * pageSize, page * pageSize);
  return {
    filtered_count: filtered.length,
    item_count: slice.length,
    items: withColumns(slice, query),
    page,
    page_count: pageCount,
    page_size: pageSize,
    total_count: items.length,
  };
}
