import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtmlReport } from '../../harness/report/html.js';
import { REPORT_PLOTS } from '../../harness/report/plots/index.js';
import { emptyInput, fixtureInput, HOSTILE_TEXT, runResult, syntheticInput } from './inputs.js';

const PLOT_IDS = REPORT_PLOTS.map((plot) => plot.id);

/** Returns the markup of the `<figure>` of one plot. */
function figureOf(html: string, id: string): string {
  const start = html.indexOf(`<figure class="plot" id="plot-${id}">`);
  expect(start, `figure plot-${id} is missing`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}

function countOf(html: string, needle: string): number {
  return html.split(needle).length - 1;
}

/** Attributes that would make a browser fetch something: src, href and srcset, plus CSS url() and @import. */
const REMOTE_REFERENCE = /(?:\b(?:src|href|srcset|xlink:href)\s*=\s*["']?\s*(?:https?:)?\/\/)|url\(\s*["']?\s*(?:https?:)?\/\/|@import/i;

describe('renderHtmlReport', () => {
  it('renders one svg per plot', async () => {
    const html = await renderHtmlReport(syntheticInput());

    expect(countOf(html, '<svg')).toBe(PLOT_IDS.length);
    for (const id of PLOT_IDS) expect(figureOf(html, id)).toContain('<svg');
  });

  it('references nothing remote', async () => {
    const html = await renderHtmlReport(syntheticInput());

    expect(html).not.toMatch(REMOTE_REFERENCE);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).toContain(`content="default-src 'none'`);
  });

  it('shows checks with verdicts', async () => {
    const html = await renderHtmlReport(syntheticInput());

    for (const check of runResult().checks) {
      expect(html).toContain(`<code>${check.name}</code>`);
      expect(html).toContain(`<tr class="check check-${check.verdict}">`);
    }
    expect(html).toContain('<span class="verdict verdict-invalid">INVALID</span>');
    expect(html).toContain('<span class="verdict verdict-unknown">unknown</span>');
    expect(html).toContain('<span class="verdict verdict-valid">valid</span>');
    expect(countOf(html, '<details><summary>evidence</summary>')).toBe(runResult().checks.length);
  });

  it('escapes evidence and summaries', async () => {
    const html = await renderHtmlReport(syntheticInput());

    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain(escapeHtml(JSON.stringify(HOSTILE_TEXT)));
    expect(html).toContain('never read from the backup &lt;in time&gt;.');
    expect(html).toContain('no DRBD &lt;here&gt;');
    expect(html).toContain('clients never read &lt;backup&gt;');
  });

  it('shows header facts', async () => {
    const html = await renderHtmlReport(syntheticInput());
    const result = runResult();

    expect(html).toContain(`<h1>${result.scenario} `);
    expect(html).toContain(result.question);
    expect(html).toContain(result.runId);
    expect(html).toContain(`<dt>seed</dt><dd>${result.seed}</dd>`);
    expect(html).toContain(result.timings.startedAt);
    expect(html).toContain(result.timings.endedAt);
  });

  it('renders empty run with notes', async () => {
    const html = await renderHtmlReport(emptyInput());

    expect(countOf(html, '<svg')).toBe(0);
    expect(countOf(html, '<p class="no-data">')).toBe(PLOT_IDS.length);
    expect(html).toContain('The run failed:</strong> Failed to start node dns: log stream ended &lt;early&gt;');
    expect(html).toContain('No check ran.');
    expect(html).toContain('No step ran.');
    expect(html).toContain('No snapshot was taken.');
  });

  it('notes missing syncs only', async () => {
    const input = syntheticInput();
    input.history = input.history.filter((entry) => entry.type !== 'event' || entry.kind !== 'sync');
    const html = await renderHtmlReport(input);

    expect(figureOf(html, 'replication')).toContain('No data: the history has no sync events.');
    expect(figureOf(html, 'timeline')).toContain('<svg');
    expect(figureOf(html, 'latency')).toContain('<svg');
    expect(figureOf(html, 'throughput')).toContain('<svg');
  });

  it('renders lag note without successful sync', async () => {
    const input = syntheticInput();
    input.history = input.history.map((entry) => (entry.type === 'event' && entry.kind === 'sync' && entry.phase === 'end' ? { ...entry, ok: false } : entry));
    const html = await renderHtmlReport(input);

    expect(figureOf(html, 'replication')).toContain('<svg');
    expect(figureOf(html, 'replication')).toContain('no successful sync, so the lag is unknown');
  });

  it('escapes labels inside the svg', async () => {
    const input = syntheticInput();
    input.history = input.history.map((entry) =>
      entry.type === 'event' && entry.kind === 'fault' ? { ...entry, detail: { id: '<img src=x onerror=alert(1)>' } } : entry,
    );
    const html = await renderHtmlReport(input);

    expect(html).not.toContain('<img');
    expect(figureOf(html, 'timeline')).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders the real-run fixture', async () => {
    const input = await fixtureInput();
    const html = await renderHtmlReport(input);

    // The fixture ran on the shared-volume stand-in, so it has no DRBD states to draw.
    expect(countOf(html, '<svg')).toBe(PLOT_IDS.length - 1);
    expect(figureOf(html, 'storage')).toContain('no DRBD storage');
    expect(html).not.toMatch(REMOTE_REFERENCE);
    for (const check of input.result.checks) expect(html).toContain(`<code>${check.name}</code>`);
    expect(figureOf(html, 'timeline')).toContain('kill:primary-1,primary-2');
    expect(figureOf(html, 'timeline')).toContain('DNS → backup');
    expect(html).toContain('<code>during-outage</code>');
  });
});
