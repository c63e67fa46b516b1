import type { ReactNode } from 'react';
import { Nav } from '../_components/nav';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <Nav />
      <main className="page">{children}</main>
    </div>
  );
}
