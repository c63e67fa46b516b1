/** The message of the first error given, as an alert; nothing when there is none. */
export function ErrorNote({ errors }: { errors: readonly ({ message: string } | null | undefined)[] }) {
  const error = errors.find((e) => e);
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error.message}
    </p>
  );
}
