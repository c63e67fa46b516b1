/**
 * A cluster failure a person can act on, at start or when a running node
 * loses its name: one line saying what is wrong and what to change.
 */
export class ClusterError extends Error {
  override name = 'ClusterError';
}
