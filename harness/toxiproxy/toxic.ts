/** A toxic as the API shows it, and the decoding of the create and update request bodies. */
import { invalidStream, invalidToxicType, toxicAlreadyExists, badRequestBody } from './errors.js';
import { JsonDecodeError, decodeFirstValue, expectObject, fieldValue, float32Json, readFloat32, readInteger, readString } from './go-json.js';
import { TOXIC_TYPES, type ToxicSettings, type ToxicType } from './toxics/index.js';

/** Upstream is client to server; downstream is server to client. */
export type Direction = 'upstream' | 'downstream';

/** A toxic on a proxy: the settings its stages read, plus its identity. */
export class Toxic implements ToxicSettings {
  constructor(
    readonly name: string,
    readonly type: string,
    /** The stream as the request spelled it; the real server keeps its case ("Upstream"). */
    readonly stream: string,
    readonly direction: Direction,
    readonly kind: ToxicType,
    public toxicity: number,
    readonly attributes: Record<string, number>,
  ) {}

  /** Returns the toxic's JSON, with fields and attributes in the real server's order. */
  toJSON(): object {
    const attributes: Record<string, number> = {};
    for (const name of this.kind.attributes) attributes[name] = this.attributes[name] ?? 0;
    return { attributes, name: this.name, type: this.type, stream: this.stream, toxicity: float32Json(this.toxicity) };
  }
}

function parseDirection(stream: string): Direction | undefined {
  const lower = stream.toLowerCase();
  return lower === 'upstream' || lower === 'downstream' ? lower : undefined;
}

/** Reads the attributes object into `target`, keeping values the body leaves out. */
function readAttributes(value: unknown, kind: ToxicType, target: Record<string, number>): void {
  const object = expectObject(value, `toxics.${kind.goName}`);
  const goType = kind.goName === 'SlicerToxic' ? 'int' : 'int64';
  for (const name of kind.attributes) {
    const number = readInteger(object, name, `${kind.goName}.attributes.${name}`, goType);
    if (number !== undefined) target[name] = number;
  }
}

function decodeOrThrow<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof JsonDecodeError) throw badRequestBody(error.message);
    throw error;
  }
}

/**
 * Decodes a create-toxic body, with the real server's checks in its order: body, stream,
 * type, duplicate name, then attributes. Defaults: stream downstream, toxicity 1,
 * name TYPE_STREAM, missing attributes 0.
 */
export function decodeNewToxic(body: string, nameTaken: (name: string) => boolean): Toxic {
  const fields = decodeOrThrow(() => {
    const object = expectObject(decodeFirstValue(body), 'toxics.ToxicWrapper');
    const attributes = fieldValue(object, 'attributes');
    if (attributes !== undefined) expectObject(attributes, 'toxics.NoopToxic');
    return {
      name: readString(object, 'name', 'ToxicWrapper.name'),
      type: readString(object, 'type', 'ToxicWrapper.type') ?? '',
      stream: readString(object, 'stream', 'ToxicWrapper.stream') ?? 'downstream',
      toxicity: readFloat32(object, 'toxicity', 'ToxicWrapper.toxicity') ?? 1,
      attributes,
    };
  });

  const direction = parseDirection(fields.stream);
  if (!direction) throw invalidStream();
  const name = fields.name || `${fields.type}_${fields.stream}`;
  const kind = TOXIC_TYPES.get(fields.type);
  if (!kind) throw invalidToxicType();
  if (nameTaken(name)) throw toxicAlreadyExists();

  const attributes: Record<string, number> = {};
  for (const attribute of kind.attributes) attributes[attribute] = 0;
  decodeOrThrow(() => readAttributes(fields.attributes, kind, attributes));
  return new Toxic(name, fields.type, fields.stream, direction, kind, fields.toxicity, attributes);
}

/**
 * Applies an update body to `toxic`: only `attributes` (merged into the current ones) and
 * `toxicity` are read. Nothing changes when the body is invalid.
 */
export function applyToxicUpdate(toxic: Toxic, body: string): void {
  const update = decodeOrThrow(() => {
    const object = expectObject(decodeFirstValue(body), 'struct');
    const attributes = { ...toxic.attributes };
    readAttributes(fieldValue(object, 'attributes') ?? null, toxic.kind, attributes);
    const toxicity = readFloat32(object, 'toxicity', '.toxicity');
    return { attributes, toxicity };
  });
  Object.assign(toxic.attributes, update.attributes);
  if (update.toxicity !== undefined) toxic.toxicity = update.toxicity;
}
