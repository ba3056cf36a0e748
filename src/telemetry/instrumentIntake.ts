import { context } from '@opentelemetry/api';
import type { intakeImages } from '../images/index.js';
import type { AppMetrics } from './createMetrics.js';
import { failSpan } from './failSpan.js';
import type { Tracing } from './Tracing.js';

export type IntakeImages = typeof intakeImages;

/**
 * Image intake with what it took in counted (images, bytes and pixels as received, bytes as sent,
 * by source) and, when tracing is on, an `image intake` span with counts and sizes only.
 */
export function instrumentIntake(
  intake: IntakeImages,
  deps: { readonly metrics: AppMetrics; readonly tracing: Tracing | undefined },
): IntakeImages {
  const { metrics, tracing } = deps;
  return async (sources, options) => {
    const span =
      tracing === undefined
        ? undefined
        : tracing.tracer.startSpan('image intake', { attributes: { 'image.count': sources.length } }, context.active());
    try {
      const images = await intake(sources, options);
      let receivedBytes = 0;
      for (const image of images) {
        const source = image.source;
        metrics.images.inc({ source });
        metrics.imageBytes.inc({ source }, image.original.byteSize);
        metrics.imagePixels.inc({ source }, image.original.width * image.original.height);
        metrics.imageSentBytes.inc({ source }, image.byteSize);
        receivedBytes += image.original.byteSize;
      }
      span?.setAttributes({
        'image.received_bytes': receivedBytes,
        'image.sent_bytes': images.reduce((sum, image) => sum + image.byteSize, 0),
      });
      return images;
    } catch (error) {
      if (span !== undefined) failSpan(span, error);
      throw error;
    } finally {
      span?.end();
    }
  };
}
