/**
 * The scenario model: what a scenario file may contain. It names nodes, sites and steps only,
 * never containers, so the same file can drive the container bed or a future simulator.
 */
import { z } from 'zod';

/** Node names of the fixed HA topology: two primaries at site A, one backup at site B. */
export const NODE_NAMES = ['primary-1', 'primary-2', 'backup', 'dns'] as const;
export const SITE_NAMES = ['site-a', 'site-b', 'site-dns'] as const;
export const TARGET_NAMES = [...NODE_NAMES, ...SITE_NAMES] as const;

const target = z.enum(TARGET_NAMES, {
  error: (issue) =>
    `unknown node or site ${JSON.stringify(issue.input)}; expected one of ${TARGET_NAMES.join(', ')}`,
});

const positiveSeconds = z.number({ error: 'must be a number of seconds' }).positive('must be greater than 0');

const runStep = z.strictObject({
  action: z.literal('run'),
  seconds: positiveSeconds,
});

const awaitSyncStep = z.strictObject({
  action: z.literal('await-sync'),
  timeoutSeconds: positiveSeconds.default(60),
});

const killStep = z.strictObject({
  action: z.literal('kill'),
  target,
});

const startStep = z.strictObject({
  action: z.literal('start'),
  target,
});

const dnsRepointStep = z.strictObject({
  action: z.literal('dns-repoint'),
  target,
});

const awaitClientsStep = z.strictObject({
  action: z.literal('await-clients'),
  target,
  timeoutSeconds: positiveSeconds.default(60),
});

const observeStep = z.strictObject({
  action: z.literal('observe'),
  target,
  label: z.string().min(1, 'must not be empty'),
});

export const stepSchema = z.discriminatedUnion(
  'action',
  [runStep, awaitSyncStep, killStep, startStep, dnsRepointStep, awaitClientsStep, observeStep],
  {
    error: (issue) =>
      issue.code === 'invalid_union' && (issue.input as { action?: unknown } | undefined)?.action === undefined
        ? 'missing action; expected one of run, await-sync, kill, start, dns-repoint, await-clients, observe'
        : issue.code === 'invalid_union'
        ? `unknown action ${JSON.stringify((issue.input as { action?: unknown } | undefined)?.action)}; ` +
          'expected one of run, await-sync, kill, start, dns-repoint, await-clients, observe'
        : undefined,
  },
);

const weight = z.number().int('must be a whole number').nonnegative('must be 0 or more');

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  question: z.string().min(10, 'must state the question the scenario answers'),
  seed: z.number().int().nonnegative().default(1),
  topology: z
    .strictObject({
      zone: z.string().regex(/^[a-z0-9.-]+$/, 'must be a DNS zone name').default('mailha.test'),
      recordTtlSeconds: z.number().int().positive().max(86400).default(5),
      accounts: z.number().int().min(1).max(50).default(3),
      seedMessagesPerFolder: z.number().int().min(0).max(200).default(3),
      storage: z.enum(['shared-volume']).default('shared-volume'),
      sync: z
        .strictObject({
          enabled: z.boolean().default(true),
          intervalSeconds: positiveSeconds.default(5),
        })
        .prefault({}),
      backup: z
        .strictObject({
          readOnly: z.enum(['acl', 'none']).default('acl'),
        })
        .prefault({}),
    })
    .prefault({}),
  workload: z
    .strictObject({
      clients: z.number().int().min(1).max(64).default(4),
      thinkTimeMs: z.number().int().nonnegative().default(150),
      operationTimeoutMs: z.number().int().positive().default(8000),
      mix: z
        .strictObject({
          append: weight.default(4),
          fetch: weight.default(3),
          search: weight.default(2),
          store: weight.default(2),
          expunge: weight.default(1),
          create: weight.default(1),
        })
        .prefault({}),
    })
    .prefault({}),
  steps: z.array(stepSchema).min(1, 'must list at least one step'),
  expect: z
    .strictObject({
      maxFailoverSeconds: positiveSeconds.optional(),
      maxDataLossMessages: z.number().int().nonnegative().optional(),
    })
    .prefault({}),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Step = z.infer<typeof stepSchema>;
export type TargetName = (typeof TARGET_NAMES)[number];
export type NodeName = (typeof NODE_NAMES)[number];
