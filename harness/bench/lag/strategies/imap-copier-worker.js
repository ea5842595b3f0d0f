// Entry of the IMAP copier's worker thread. A worker does not inherit the tsx loader of the thread
// that starts it, so this plain ES module registers tsx before it loads the TypeScript copier.
import { register } from 'tsx/esm/api';

register();
await import('./imap-copier.ts');
