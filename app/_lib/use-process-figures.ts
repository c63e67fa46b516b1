'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import type { ProcessFigures } from '../../server/metrics/process-sampler';
import { useTRPC } from './trpc';

const WINDOW_POINTS = 300; // five minutes at one sample a second

/**
 * The broker process's figures as chart points, one a second, streamed over
 * SSE: the last five minutes, each sample turned into a point by `toPoint`.
 */
export function useProcessFigurePoints<P extends object>(toPoint: (figures: ProcessFigures) => P) {
  const trpc = useTRPC();
  const [points, setPoints] = useState<(P & { at: number })[]>([]);
  const sub = useSubscription(
    trpc.system.processFigures.subscriptionOptions(undefined, {
      onData: (s) =>
        setPoints((prev) => {
          const last = prev.at(-1);
          if (last !== undefined && last.at >= s.at) return prev;
          const next = [...prev, { at: s.at, ...toPoint(s.value) }];
          return next.length > WINDOW_POINTS ? next.slice(next.length - WINDOW_POINTS) : next;
        }),
    }),
  );
  return { points, sub };
}
