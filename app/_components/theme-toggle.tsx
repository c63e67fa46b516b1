'use client';

import { useEffect, useState } from 'react';

type Theme = 'system' | 'light' | 'dark';

/** The reader's theme, kept per user in this browser. */
const key = (user: string) => `warren-theme:${user}`;

function apply(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Light, dark or the system's, chosen per signed-in user. */
export function ThemeToggle({ user }: { user: string }) {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const saved = localStorage.getItem(key(user));
    const next: Theme = saved === 'light' || saved === 'dark' ? saved : 'system';
    setTheme(next);
    apply(next);
  }, [user]);
  const choose = (next: Theme) => {
    setTheme(next);
    apply(next);
    if (next === 'system') localStorage.removeItem(key(user));
    else localStorage.setItem(key(user), next);
  };
  return (
    <label className="theme-toggle">
      Theme
      <select value={theme} onChange={(e) => choose(e.target.value as Theme)}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
