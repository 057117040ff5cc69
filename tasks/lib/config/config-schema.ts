import type { FlagSpec } from '../cli/flag-spec.ts';
import type { ConfigTask } from './hivecheck-config.ts';

type JsonSchema = Record<string, unknown>;

const NOT_IN_CONFIG = new Set(['help', 'config']);

function flagSchema(spec: FlagSpec): JsonSchema {
  const description = spec.description;
  const fixed = spec.default !== undefined && typeof spec.default !== 'function' ? { default: spec.default } : {};
  if (spec.type === 'boolean') return { type: 'boolean', description, ...fixed };
  if (spec.type === 'number') return { type: spec.integer ? 'integer' : 'number', description, ...(spec.min !== undefined ? { minimum: spec.min } : {}), ...(spec.max !== undefined ? { maximum: spec.max } : {}), ...fixed };
  const item: JsonSchema = spec.choices ? { type: 'string', enum: [...spec.choices] } : { type: 'string' };
  if (spec.type === 'string') return { ...item, description, ...fixed };
  return { description, anyOf: [item, { type: 'array', items: item }], ...fixed };
}

function sectionSchema(specs: readonly FlagSpec[], description: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const spec of specs) if (!NOT_IN_CONFIG.has(spec.name)) properties[spec.name] = flagSchema(spec);
  return { type: 'object', description, additionalProperties: false, properties };
}

/** The JSON Schema of hivecheck.config.json, made from the same flag tables the runner parses. */
export function configSchema(tasks: readonly (ConfigTask & { summary?: string })[], common: readonly FlagSpec[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    $schema: { type: 'string' },
    defaults: sectionSchema(common, 'flags every task understands, for every task'),
  };
  for (const task of tasks) properties[task.name] = sectionSchema([...task.flags, ...common], `${task.name}: ${task.summary ?? ''}`.trim());
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'hivecheck config',
    description: "hivecheck.config.json: each task's settings under its name, keyed by its flags without '--'; flags on the command line override them.",
    type: 'object',
    additionalProperties: false,
    properties,
  };
}
