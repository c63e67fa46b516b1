/** Console addresses of one object, built in one place. */
export const queueHref = (vhost: string, name: string) => `/queue?vhost=${encodeURIComponent(vhost)}&name=${encodeURIComponent(name)}`;
export const streamHref = (vhost: string, name: string) => `/streams/view?vhost=${encodeURIComponent(vhost)}&name=${encodeURIComponent(name)}`;
export const exchangeHref = (vhost: string, name: string) => `/exchanges?vhost=${encodeURIComponent(vhost)}&selected=${encodeURIComponent(name)}`;
/** The connections page with one connection opened to its channels. */
export const connectionHref = (id: string) => `/connections?open=${encodeURIComponent(id)}`;
export const journeyHref = (vhost: string, search: string) =>
  `/journey?vhost=${encodeURIComponent(vhost)}${search === '' ? '' : `&q=${encodeURIComponent(search)}`}`;
