/** UIDs that change meaning across a sync. */
import { describe, expect, test } from 'vitest';
import { uidMeaningChanges } from '../../../harness/audit/uid-meaning.js';
import { parseMessageIds } from '../../../harness/audit/state.js';

const map = (uidValidity: number, messageIds: Record<string, string>) => ({ uidValidity, messageIds });

describe('uidMeaningChanges', () => {
  test('appended mail keeps every earlier UID', () => {
    const before = map(7, { '1': '<a@x>', '2': '<b@x>' });
    const after = map(7, { '1': '<a@x>', '2': '<b@x>', '3': '<c@x>' });
    expect(uidMeaningChanges([{ account: 'u', folder: 'INBOX', before, after }])).toEqual([]);
  });

  test('a UID naming another message is a change', () => {
    const before = map(7, { '1': '<a@x>', '2': '<b@x>' });
    const after = map(7, { '1': '<a@x>', '2': '<c@x>' });
    expect(uidMeaningChanges([{ account: 'u', folder: 'INBOX', before, after }])).toEqual([{ account: 'u', folder: 'INBOX', kind: 'uid', uid: '2', before: '<b@x>', after: '<c@x>' }]);
  });

  test('a vanished UID is a change', () => {
    const changes = uidMeaningChanges([{ account: 'u', folder: 'INBOX', before: map(7, { '1': '<a@x>' }), after: map(7, {}) }]);
    expect(changes).toEqual([{ account: 'u', folder: 'INBOX', kind: 'uid', uid: '1', before: '<a@x>', after: null }]);
  });

  test('a new UIDVALIDITY is one change for the folder', () => {
    const changes = uidMeaningChanges([{ account: 'u', folder: 'INBOX', before: map(7, { '1': '<a@x>' }), after: map(8, { '1': '<a@x>' }) }]);
    expect(changes).toEqual([{ account: 'u', folder: 'INBOX', kind: 'uidvalidity', before: 7, after: 8 }]);
  });

  test('a folder unreadable both times is skipped, unreadable once is a change', () => {
    const error = { error: 'EXAMINE NO Unable to open this mailbox.' };
    expect(uidMeaningChanges([{ account: 'u', folder: 'INBOX', before: error, after: error }])).toEqual([]);
    expect(uidMeaningChanges([{ account: 'u', folder: 'INBOX', before: map(7, {}), after: error }])[0]).toMatchObject({ kind: 'uidvalidity', before: 7, after: error.error });
  });
});

describe('parseMessageIds', () => {
  test('reads the UID and Message-ID of each FETCH line', () => {
    const lines = ['* 1 FETCH (UID 4 BODY[HEADER.FIELDS (MESSAGE-ID)] {26}\r\nMessage-ID: <a@x>\r\n\r\n)', '* 2 FETCH (UID 9 BODY[HEADER.FIELDS (MESSAGE-ID)] {2}\r\n\r\n)', '* 3 EXISTS'];
    expect(parseMessageIds(lines)).toEqual({ '4': '<a@x>', '9': '(no Message-ID)' });
  });
});
