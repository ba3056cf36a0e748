import type { NewRequestImage, RequestImageRecord } from './DescriptionRecord.js';

/**
 * An image of a new request as its row's record shows it (what toDescriptionRecord reads back):
 * the PENDING record and previewCost, which shows the images as describeImage would record them,
 * both build it here.
 */
export function requestImageRecord(image: NewRequestImage): RequestImageRecord {
  return {
    sha256: image.sha256,
    mediaType: image.mediaType,
    byteSize: image.byteSize,
    width: image.width,
    height: image.height,
    source: image.source,
    original: {
      mediaType: `image/${image.original.format}`,
      width: image.original.width,
      height: image.original.height,
      byteSize: image.original.byteSize,
    },
  };
}
