import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('Tracing: configuration', () => {
  it('is off unless an OTLP endpoint is set (an empty one counts as unset)', () => {
    expect(loadConfig({}).tracing).toEqual({ kind: 'off' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing).toEqual({ kind: 'off' });
  });

  it("sends to the base endpoint's v1/traces, or to the traces endpoint as given", () => {
    const base = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing;
    expect(base).toEqual({
      kind: 'otlp',
      url: 'http://collector:4318/v1/traces',
      headers: {},
      serviceName: 'bedrock-vision-graphql',
      captureMessageContent: false,
    });
    const prefixed = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/api/' }).tracing;
    expect(prefixed).toMatchObject({ url: 'https://otel.example/api/v1/traces' });
    const own = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
    }).tracing;
    expect(own).toMatchObject({ url: 'http://traces:9999/custom' });
  });

  it('reads headers, the service name and the content opt-in the way OpenTelemetry names them', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, x-team = vision',
      OTEL_SERVICE_NAME: 'vision-eu',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    }).tracing;
    expect(tracing).toMatchObject({
      headers: { 'x-api-key': 'abc==', 'x-team': 'vision' },
      serviceName: 'vision-eu',
      captureMessageContent: true,
    });
    expect(() =>
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }),
    ).toThrow(ConfigError);
  });
});
