import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '../errors.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw badInput(
      'FILTER_INVALID',
      'DateTime must be an ISO 8601 instant with a time zone, e.g. 2026-11-24T10:00:00Z',
    );
  }
  return new Date(value);
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    if (!(value instanceof Date)) throw new TypeError('DateTime expects a Date');
    return value.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

const DECIMAL = /^-?\d+(\.\d+)?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text)) {
    throw badInput('FILTER_INVALID', 'Decimal must be a decimal number such as "0.0042"');
  }
  return text;
}

/** Exact decimals as strings: costs are summed to the last digit, never rounded by a float. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  serialize: (value) => {
    if (typeof value !== 'string') throw new TypeError('Decimal expects a string');
    return value;
  },
  parseValue: parseDecimal,
  parseLiteral: (ast) =>
    parseDecimal(ast.kind === Kind.STRING || ast.kind === Kind.FLOAT || ast.kind === Kind.INT ? ast.value : undefined),
});
