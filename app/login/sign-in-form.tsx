'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../_lib/trpc';
import { ErrorNote } from '../_components/error-note';

export function SignInForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: (user) => {
        // The console's gate reads this at once instead of a stale "signed out".
        queryClient.setQueryData(trpc.auth.me.queryKey(), user);
        const next = params.get('next');
        router.replace(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ name, password });
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Sign in">
      <h2>Sign in</h2>
      <label className="block">
        User name
        <input autoFocus autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required style={{ width: '100%' }} />
      </label>
      <label className="block">
        Password
        <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} style={{ width: '100%' }} />
      </label>
      <ErrorNote errors={[signIn.error]} />
      <button type="submit" className="primary" disabled={signIn.isPending}>
        {signIn.isPending ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="muted">A new broker has the user guest (password guest), which works from this machine only.</p>
    </form>
  );
}
