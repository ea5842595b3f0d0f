/** Creates a strategy by name. */
import type { StrategyName } from '../config.js';
import { ImapCopyStrategy } from './imap-copy.js';
import { LsyncdStrategy } from './lsyncd.js';
import { RsyncIntervalStrategy } from './rsync-interval.js';
import type { ReplicationStrategy, StrategyContext } from './strategy.js';

export function createStrategy(name: StrategyName, context: StrategyContext): ReplicationStrategy {
  switch (name) {
    case 'rsync-interval':
      return new RsyncIntervalStrategy(context);
    case 'lsyncd':
      return new LsyncdStrategy(context);
    case 'imap-copy':
      return new ImapCopyStrategy(context);
  }
}
