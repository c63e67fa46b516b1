/** Console addresses of one object, built in one place. */
export const queueHref = (vhost: string, name: string) => `/queue?vhost=${encodeURIComponent(vhost)}&name=${encodeURIComponent(name)}`;
export const streamHref = (vhost: string, name: string) => `/streams/view?vhost=${encodeURIComponent(vhost)}&name=${encodeURIComponent(name)}`;
export const journeyHref = (vhost: string, search: string) =>
  `/journey?vhost=${encodeURIComponent(vhost)}${search === '' ? '' : `&q=${encodeURIComponent(search)}`}`;
