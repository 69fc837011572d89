import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

/**
 * The editor JSON Schema (scenarios/scenario.schema.json), generated from the same zod schema that validates, so the
 * two cannot disagree (a test compares the committed file with this output). `io: 'input'` describes what a user
 * writes: fields with defaults are optional.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://latency-lab.dev/scenario.schema.json',
    title: 'latency-lab scenario',
    description: 'A latency-lab scenario file (v1): one source, several delivery paths, headless viewers.',
  };
}

export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
