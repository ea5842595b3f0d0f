/**
 * JSON request decoding that behaves like Go's encoding/json as the real server uses it
 * (json.NewDecoder(body).Decode(&struct)). Only the first JSON value is read, and an empty
 * body is the error "EOF". Object keys match struct fields case-insensitively, `null`
 * leaves a field unchanged, and a value of the wrong type is an error naming the field.
 */

/** A decoding failure; `message` is the text after "bad request body: ". */
export class JsonDecodeError extends Error {}

/** Returns the index just past the first JSON value starting at `start`, or -1 when the text ends first. */
function endOfFirstValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first !== '{' && first !== '[') {
    let end = start;
    while (end < text.length && !/[\s,\]}{[":]/.test(text[end]!)) end++;
    return end;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      i = endOfString(text, i) - 1;
      if (i < 0) return -1;
    } else if (char === '{' || char === '[') {
      depth++;
    } else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/**
 * Parses the first JSON value of `text` and ignores anything after it, as json.Decoder does.
 * NOTE: messages for malformed JSON follow Go's only for an empty body ("EOF"), a truncated
 * value ("unexpected EOF") and a bad first character. Other syntax errors carry V8's text.
 */
export function decodeFirstValue(text: string): unknown {
  const start = text.search(/\S/);
  if (start < 0) throw new JsonDecodeError('EOF');
  const first = text[start]!;
  if (!/[{["\-0-9tfn]/.test(first)) {
    throw new JsonDecodeError(`invalid character '${first}' looking for beginning of value`);
  }
  const end = endOfFirstValue(text, start);
  if (end < 0) throw new JsonDecodeError('unexpected EOF');
  try {
    return JSON.parse(text.slice(start, end));
  } catch (error) {
    throw new JsonDecodeError(`invalid JSON: ${(error as Error).message}`);
  }
}

/** Go's name for the kind of a JSON value in "cannot unmarshal KIND into ..." messages. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/** Checks that `value` is a JSON object (or null) for a Go struct of type `goType`. */
export function expectObject(value: unknown, goType: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new JsonDecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`);
  }
  return value as Record<string, unknown>;
}

/** Returns the value of the last key that equals `name` ignoring case, as Go assigns fields. */
export function fieldValue(object: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) {
    if (key.toLowerCase() === lower) found = object[key];
  }
  return found;
}

function typeError(value: unknown, path: string, goType: string): JsonDecodeError {
  return new JsonDecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${path} of type ${goType}`);
}

/**
 * Reads a string field. Returns undefined when the key is absent or null.
 * `path` is Go's field path for error messages, such as "Proxy.name".
 */
export function readString(object: Record<string, unknown>, name: string, path: string): string | undefined {
  const value = fieldValue(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(value, path, 'string');
  return value;
}

/** Reads a boolean field. Returns undefined when the key is absent or null. */
export function readBool(object: Record<string, unknown>, name: string, path: string): boolean | undefined {
  const value = fieldValue(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw typeError(value, path, 'bool');
  return value;
}

/** Reads a 64-bit integer field. Returns undefined when the key is absent or null. */
export function readInteger(object: Record<string, unknown>, name: string, path: string, goType: string): number | undefined {
  const value = fieldValue(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw typeError(value, path, goType);
  if (!Number.isSafeInteger(value)) {
    throw new JsonDecodeError(`json: cannot unmarshal number ${value} into Go struct field ${path} of type ${goType}`);
  }
  return value;
}

/** Reads a float32 field. Returns undefined when the key is absent or null. */
export function readFloat32(object: Record<string, unknown>, name: string, path: string): number | undefined {
  const value = fieldValue(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw typeError(value, path, 'float32');
  return Math.fround(value);
}

/** Formats a float32 as Go's json.Marshal does: the shortest decimal that reads back as the same float32. */
export function float32Json(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/**
 * Serializes like Go's json.Marshal: `<`, `>`, `&`, U+2028 and U+2029 are escaped.
 * Object keys keep insertion order, so callers sort map keys themselves.
 */
export function goJsonStringify(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
