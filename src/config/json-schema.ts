/** The JSON Schema of ft-edge's configuration files, published as config/ft-edge.schema.json for editors. */
import { configSpec } from './schema.js';
import { toJsonSchema } from './schema-builder.js';

export function configJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'ft-edge configuration (/etc/ft-edge/local.json and the other node-config files)',
    ...toJsonSchema(configSpec),
  };
}
