/**
 * JSON Schema fragments for the config keys every algorithm shares, so each key is validated the same way everywhere, and
 * the schema of a whole config built from them.
 */
import type { JsonSchema } from '../../contracts/types.ts';

export const configKeySchemas = {
  /** Hidden layer widths, e.g. [64, 64]. */
  layers: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 },
  activation: { enum: ['relu', 'gelu', 'mish', 'tanh'] },
  learningRate: { type: 'number', exclusiveMinimum: 0 },
  /** γ in [0, 1]. */
  discount: { type: 'number', minimum: 0, maximum: 1 },
  /** Polyak rate in (0, 1]. */
  targetUpdateRate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  batchSize: { type: 'integer', minimum: 1 },
} satisfies Record<string, JsonSchema>;

/** JSON Schema of an algorithm's config: exactly the keys of `defaults` (all required, no others), typed by `properties`. */
export function configSchema(defaults: object, properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', additionalProperties: false, required: Object.keys(defaults), properties };
}
