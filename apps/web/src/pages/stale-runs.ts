import type { RunStaleness } from '@schoolbench/comparisons';

import { formatDate } from '../views/view-filters';

/** The protocol events that stopped a run's results being served, in words. */
export function staleView(stale: RunStaleness) {
  return {
    runId: stale.runId,
    finishedAt: stale.finishedAt,
    reasons: stale.events.map((e) => {
      const when = formatDate(e.at, true);
      const what =
        e.event === 'expired'
          ? `The protocol “${e.protocol}” expired on ${when}`
          : `${e.owner} ${e.event} the protocol “${e.protocol}” on ${when}`;
      return `${what}${e.reason ? ` (reason given: ${e.reason})` : ''}.`;
    }),
  };
}
