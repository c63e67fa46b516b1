import Link from 'next/link';

/** Any address the console has no page for. */
export default function NotFound() {
  return (
    <main className="page" id="main">
      <h1>Page not found</h1>
      <p>The console has no page at this address.</p>
      <p>
        <Link href="/">Go to the overview</Link> or <Link href="/queues">the queue list</Link>.
      </p>
    </main>
  );
}
