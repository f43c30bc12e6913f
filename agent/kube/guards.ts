// API objects arrive as JSON we did not validate (watch events are not deserialized by the
// client library), so every field is read through these guards instead of trusted casts.

export type JsonObject = Readonly<Record<string, unknown>>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined
}

export function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key)
  return typeof v === 'string' ? v : undefined
}

export function numberField(value: unknown, key: string): number | undefined {
  const v = field(value, key)
  return typeof v === 'number' ? v : undefined
}

/** The elements of an array field that are objects; anything else reads as empty. */
export function objectsField(value: unknown, key: string): readonly JsonObject[] {
  const v = field(value, key)
  return Array.isArray(v) ? v.filter(isObject) : []
}
