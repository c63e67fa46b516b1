import { isUnreachableError } from '../_lib/connectivity';

/**
 * The message of the first error given, as an alert; nothing when there is
 * none. A broker that cannot be reached is the banner's to say, once per page.
 */
export function ErrorNote({ errors }: { errors: readonly ({ message: string } | null | undefined)[] }) {
  const error = errors.find((e) => e && !isUnreachableError(e));
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error.message}
    </p>
  );
}
