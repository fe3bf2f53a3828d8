#!/usr/bin/env node
// Writes config/ft-edge.schema.json, the JSON Schema of ft-edge's configuration, from the one declaration in
// src/config/schema.ts (run after `npm run build`; `npm run schema` does both). test/config/json-schema.test.ts
// fails when the committed file and the declaration differ.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/src/config/index.js';

const out = new URL('../config/ft-edge.schema.json', import.meta.url);
writeFileSync(out, JSON.stringify(configJsonSchema(), null, 2) + '\n');
console.log(`wrote ${out.pathname}`);
