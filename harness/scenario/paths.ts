/** Formats a field path the way a reader writes it: `scenario.steps[2].target`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = 'scenario';
  for (const part of path) {
    text += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  }
  return text;
}
