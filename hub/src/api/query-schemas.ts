import { LABEL_NAME, METRIC_NAME } from './label-matchers.ts';
import { AGGREGATIONS, FORMATS, MAX_MATCHERS } from './metrics-query-params.ts';
import { RESOLUTION_CHOICES } from './resolution.ts';

/**
 * JSON schemas of the metrics routes. They reject unknown parameters and wrong shapes before
 * a handler runs (the server's Ajv is set not to strip unknown properties but to refuse
 * them); the handlers' parsers check meaning (times, steps, matcher grammar).
 */

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const metricName = { type: 'string', maxLength: 200, pattern: METRIC_NAME.source } as const;

export const metricsQuerySchema = {
  querystring: {
    type: 'object',
    properties: {
      metric: text(200),
      // Coerced to an array when given once, so the handler always sees a list.
      'match[]': { type: 'array', items: text(8192), maxItems: MAX_MATCHERS },
      start: text(40),
      end: text(40),
      step: text(20),
      agg: { type: 'string', enum: [...AGGREGATIONS] },
      by: text(1000),
      resolution: { type: 'string', enum: [...RESOLUTION_CHOICES] },
      format: { type: 'string', enum: [...FORMATS] },
    },
    // The shorthand match[<label>]=<value>; the label name itself is checked by the parser.
    patternProperties: { '^match\\[[^\\]]+\\]$': text(1024) },
    additionalProperties: false,
  },
} as const;

export const metricNamesSchema = {
  querystring: {
    type: 'object',
    properties: { match: text(200) },
    additionalProperties: false,
  },
} as const;

export const labelNamesSchema = {
  querystring: {
    type: 'object',
    properties: { metric: metricName },
    additionalProperties: false,
  },
} as const;

export const labelValuesSchema = {
  params: {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 200, pattern: LABEL_NAME.source } },
    required: ['name'],
  },
  querystring: labelNamesSchema.querystring,
} as const;
