/**
 * Renders `report.html`: one self-contained page with the run's verdict, checks, stand-ins,
 * steps, snapshots and charts. The page uses only inline CSS and inline SVG, and its
 * Content-Security-Policy forbids every fetch, so it opens offline and never loads anything.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailboxSnapshot } from '../history/snapshot.js';
import type { CheckResult, Verdict } from '../checkers/types.js';
import { derivePlotData, renderPlot, REPORT_PLOTS, type RenderedPlot } from './plots/index.js';
import type { ReportInput, Reporter } from './reporter.js';
import type { RunResult, StepTiming } from './result.js';

export const HTML_REPORT_FILE = 'report.html';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const VERDICT_LABEL: Record<Verdict, string> = { valid: 'valid', invalid: 'INVALID', unknown: 'unknown' };

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function verdictBadge(verdict: Verdict): string {
  return `<span class="verdict verdict-${verdict}">${VERDICT_LABEL[verdict]}</span>`;
}

function header(result: RunResult): string {
  const { timings, operations } = result;
  const facts: [string, string][] = [
    ['run id', `<code>${escapeHtml(result.runId)}</code>`],
    ['seed', String(result.seed)],
    ['scenario file', `<code>${escapeHtml(result.file)}</code>`],
    ['started', escapeHtml(timings.startedAt)],
    ['ended', escapeHtml(timings.endedAt)],
    ['wall time', `${seconds(timings.wallMs)} s`],
    ['set-up', `images ${seconds(timings.imagesMs)} s, bed start ${seconds(timings.bedStartMs)} s, seeding ${seconds(timings.seedMs)} s`],
    [
      'operations',
      `${operations.total} completed: ${operations.ok} ok, ${operations.fail} failed, ${operations.info} with unknown outcome`,
    ],
  ];
  const error = result.error
    ? `<p class="run-error"><strong>The run failed:</strong> ${escapeHtml(result.error)}</p>`
    : '';
  return `<header>
<h1>${escapeHtml(result.scenario)} ${verdictBadge(result.verdict)}</h1>
<blockquote class="question">${escapeHtml(result.question)}</blockquote>
${error}
<dl class="facts">
${facts.map(([name, value]) => `<dt>${name}</dt><dd>${value}</dd>`).join('\n')}
</dl>
</header>`;
}

function checkRow(check: CheckResult): string {
  const evidence = escapeHtml(JSON.stringify(check.evidence, null, 2) ?? 'null');
  return `<tr class="check check-${check.verdict}">
<td class="name"><code>${escapeHtml(check.name)}</code></td>
<td>${verdictBadge(check.verdict)}</td>
<td>${escapeHtml(check.summary)}
<details><summary>evidence</summary><pre>${evidence}</pre></details></td>
</tr>`;
}

function checksSection(result: RunResult): string {
  const body =
    result.checks.length === 0
      ? '<p class="empty">No check ran.</p>'
      : `<table class="checks" id="checks">
<thead><tr><th>check</th><th>verdict</th><th>finding and evidence</th></tr></thead>
<tbody>
${result.checks.map(checkRow).join('\n')}
</tbody>
</table>`;
  return `<section><h2>Checks</h2>\n${body}\n</section>`;
}

function standInsSection(result: RunResult): string {
  const items =
    result.standIns.length === 0
      ? '<p class="empty">None: every component is the real thing.</p>'
      : `<ul class="stand-ins">\n${result.standIns
          .map(
            (standIn) =>
              `<li><strong>${escapeHtml(standIn.component)}</strong> stands for ${escapeHtml(standIn.standsFor)} (${escapeHtml(standIn.reason)}).</li>`,
          )
          .join('\n')}\n</ul>`;
  return `<section><h2>Stand-ins</h2>\n${items}\n</section>`;
}

function stepRow(step: StepTiming): string {
  const outcome = step.ok ? 'yes' : `<span class="failed">no</span>${step.detail.error ? `: ${escapeHtml(String(step.detail.error))}` : ''}`;
  return `<tr><td>${step.index}</td><td><code>${escapeHtml(step.action)}</code></td><td>${escapeHtml(step.description)}</td><td class="number">${seconds(step.startMs)}</td><td class="number">${seconds(step.endMs)}</td><td class="number">${seconds(step.endMs - step.startMs)}</td><td>${outcome}</td></tr>`;
}

function stepsSection(result: RunResult): string {
  const steps = result.timings.steps;
  const body =
    steps.length === 0
      ? '<p class="empty">No step ran.</p>'
      : `<table class="steps">
<thead><tr><th>#</th><th>action</th><th>step</th><th>start (s)</th><th>end (s)</th><th>took (s)</th><th>ok</th></tr></thead>
<tbody>
${steps.map(stepRow).join('\n')}
</tbody>
</table>`;
  return `<section><h2>Steps</h2>\n${body}\n</section>`;
}

function snapshotRow(snapshot: MailboxSnapshot): string {
  const folders = Object.values(snapshot.accounts).flatMap((account) => Object.values(account));
  const messages = folders.reduce((total, folder) => total + folder.messages.length, 0);
  const errors = snapshot.errors.length === 0 ? 'none' : `<span class="failed">${snapshot.errors.map(escapeHtml).join('<br>')}</span>`;
  return `<tr><td><code>${escapeHtml(snapshot.label)}</code></td><td>${escapeHtml(snapshot.node)}</td><td class="number">${seconds(snapshot.time)}</td><td class="number">${Object.keys(snapshot.accounts).length}</td><td class="number">${folders.length}</td><td class="number">${messages}</td><td>${errors}</td></tr>`;
}

function snapshotsSection(snapshots: readonly MailboxSnapshot[]): string {
  const body =
    snapshots.length === 0
      ? '<p class="empty">No snapshot was taken.</p>'
      : `<table class="snapshots">
<thead><tr><th>label</th><th>node</th><th>time (s)</th><th>accounts</th><th>folders</th><th>messages</th><th>observer errors</th></tr></thead>
<tbody>
${snapshots.map(snapshotRow).join('\n')}
</tbody>
</table>`;
  return `<section><h2>Mailbox snapshots</h2>\n${body}\n</section>`;
}

function plotFigure({ plot, svg, note }: RenderedPlot): string {
  const content = svg ?? `<p class="no-data">${escapeHtml(note ?? 'No data.')}</p>`;
  return `<figure class="plot" id="plot-${plot.id}">
<h3>${escapeHtml(plot.title)}</h3>
<div class="chart">${content}</div>
<figcaption>${escapeHtml(plot.caption)}</figcaption>
</figure>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212529; margin: 0 auto; padding: 16px 24px 48px; max-width: 1060px; }
h1 { font-size: 24px; margin: 8px 0; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0 0 6px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
blockquote.question { margin: 4px 0 12px; padding: 6px 12px; border-left: 4px solid #adb5bd; background: #f8f9fa; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: #495057; }
dl.facts dd { margin: 0; }
.verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12.5px; font-weight: 600; vertical-align: middle; }
h1 .verdict { font-size: 15px; }
.verdict-valid { background: #d3f9d8; color: #2b8a3e; }
.verdict-invalid { background: #ffe3e3; color: #c92a2a; }
.verdict-unknown { background: #fff3bf; color: #a66900; }
.run-error { background: #ffe3e3; border: 1px solid #ffa8a8; padding: 8px 12px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid #e9ecef; }
th { background: #f1f3f5; font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.check-invalid td:first-child { border-left: 4px solid #e03131; }
tr.check-unknown td:first-child { border-left: 4px solid #f08c00; }
tr.check-valid td:first-child { border-left: 4px solid #2f9e44; }
td.name { white-space: nowrap; }
details summary { cursor: pointer; color: #1c7ed6; font-size: 12.5px; margin-top: 4px; }
details pre { background: #f8f9fa; border: 1px solid #e9ecef; padding: 8px; max-height: 360px; overflow: auto; font-size: 12px; }
.failed { color: #c92a2a; }
.empty, .no-data { color: #868e96; font-style: italic; }
.no-data { border: 1px dashed #ced4da; padding: 16px; text-align: center; }
figure.plot { margin: 0 0 24px; }
figure.plot .chart { overflow-x: auto; }
figure.plot svg { display: block; max-width: 100%; height: auto; }
figcaption { color: #495057; font-size: 12.5px; margin-top: 4px; max-width: 900px; }
footer { margin-top: 32px; color: #868e96; font-size: 12px; }
`;

/**
 * Renders the HTML report of one run. The charts are Vega-Lite specs rendered to SVG in
 * Node; a chart without data shows a short note instead. Resolves to the complete document.
 */
export async function renderHtmlReport(input: ReportInput): Promise<string> {
  const { result, history, snapshots } = input;
  const data = derivePlotData(history);
  const plots: RenderedPlot[] = [];
  for (const plot of REPORT_PLOTS) plots.push(await renderPlot(plot, data));

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(result.scenario)}: ${VERDICT_LABEL[result.verdict]} (${escapeHtml(result.runId)})</title>
<style>${STYLE}</style>
</head>
<body>
${header(result)}
${checksSection(result)}
${standInsSection(result)}
<section id="plots"><h2>Charts</h2>
<p class="note">Every time axis is seconds since the run started, on the history's clock, and all charts share the same range.</p>
${plots.map(plotFigure).join('\n')}
</section>
${stepsSection(result)}
${snapshotsSection(snapshots)}
<footer>History: ${history.length} entries. Written by mailha from <code>result.json</code>, <code>history.jsonl</code> and <code>snapshots.json</code> in this run's directory.</footer>
</body>
</html>
`;
}

/** Writes `report.html` into the run directory. */
export const htmlReporter: Reporter = {
  name: 'html',
  async write(dir, input) {
    const path = join(dir, HTML_REPORT_FILE);
    await writeFile(path, await renderHtmlReport(input));
    return path;
  },
};
