/**
 * The method table the reconnect specs serve: `echo`, a `hang` that never answers, and a
 * `feed` stream whose live subscriptions are counted.
 */
import { defer, finalize, NEVER, type Observable } from 'rxjs';
import { stream } from '../../lib/index.js';

export interface FeedCounts {
  hang: number;
  live: number;
  subscribes: number;
}

export function feedMethods(feed: Observable<number>, counts: FeedCounts) {
  return {
    echo: (params: unknown) => params,
    hang: () => {
      counts.hang++;
      return NEVER;
    },
    feed: stream(() =>
      defer(() => {
        counts.live++;
        counts.subscribes++;
        return feed;
      }).pipe(finalize(() => counts.live--)),
    ),
  };
}
