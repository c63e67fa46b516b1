/** A page whose content comes with later work: says so plainly instead of pretending. */
export function NotBuilt({ title, what }: { title: string; what: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <div className="empty" role="status">
        <p>
          <strong>Not built yet.</strong> {what}
        </p>
      </div>
    </section>
  );
}
