/**
 * Telemetry: Prometheus metrics, OpenTelemetry traces and the per-operation log line. Everything
 * here wraps the other folders from outside (decorators of the model, the store, image intake and
 * the describe use case; an Apollo plugin; middlewares), so none of them depends on it.
 */
export { createTelemetry, type Telemetry } from './createTelemetry.js';
export type { AppMetrics, AdmissionReading, PoolReading } from './createMetrics.js';
export type { Tracing } from './Tracing.js';
export { instrumentVisionModel } from './instrumentVisionModel.js';
export { instrumentStore } from './instrumentStore.js';
export { instrumentIntake } from './instrumentIntake.js';
export { createMetricsHandler, createAddressFilter } from './createMetricsHandler.js';
export { createOperationPlugin, rootFieldLabel, type OperationContext } from './createOperationPlugin.js';
export { createRequestTracking, createOperationContext, operationRecordOf } from './createRequestTracking.js';
export type { OperationRecord } from './OperationRecord.js';
export { logOperation } from './logOperation.js';
export { createSocketTracking, type SocketTracking } from './createSocketTracking.js';
export { createHttpObservation, type HttpObservation } from './createHttpObservation.js';
