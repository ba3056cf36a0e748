// @ts-check
// Choosing the image to describe: a file (chosen, dropped or pasted), the sample photo, or a URL.

import { byId, input } from './dom.js';
import { formatBytes } from './format.js';
import { pageConfig } from './pageConfig.js';

/** @typedef {{ file: File } | { url: string }} ImageChoice */

/**
 * Wires the drop zone, the file input, paste and the URL field. `onNote` shows a short message
 * beside the Describe button (cleared when a new image is chosen).
 * @param {(note: string) => void} onNote
 * @returns {{ chosen(): ImageChoice | null }}
 */
export function setUpImagePicker(onNote) {
  /** @type {File | null} */
  let chosenFile = null;
  let previewUrl = '';
  const fileInput = input('file');
  const urlInput = input('image-url');
  const drop = byId('drop');

  /** @param {File | null} file */
  function chooseFile(file) {
    chosenFile = file;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = file ? URL.createObjectURL(file) : '';
    byId('preview').hidden = !file;
    byId('drop-empty').hidden = Boolean(file);
    drop.classList.toggle('has-image', Boolean(file));
    /** @type {HTMLImageElement} */ (byId('preview-img')).src = previewUrl;
    byId('preview-name').textContent = file ? `${file.name} · ${formatBytes(file.size)}` : '';
    if (file) urlInput.value = '';
    onNote('');
  }

  fileInput.addEventListener('change', () => chooseFile(fileInput.files?.[0] ?? null));
  byId('clear-image').addEventListener('click', () => {
    fileInput.value = '';
    chooseFile(null);
  });
  urlInput.addEventListener('input', () => {
    if (urlInput.value.trim() && chosenFile) {
      fileInput.value = '';
      chooseFile(null);
    }
  });
  byId('use-sample').addEventListener('click', async () => {
    try {
      const res = await fetch(pageConfig.samplePath);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const name = pageConfig.samplePath.split('/').pop() ?? 'sample.jpg';
      chooseFile(new File([await res.blob()], name, { type: 'image/jpeg' }));
    } catch (error) {
      onNote(`Could not load the sample photo: ${String(error)}`);
    }
  });

  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    const file = /** @type {DragEvent} */ (event).dataTransfer?.files[0];
    if (file) chooseFile(file);
  });
  // A file dropped beside the drop zone must not make the browser leave the page to show it.
  document.addEventListener('dragover', (event) => event.preventDefault());
  document.addEventListener('drop', (event) => event.preventDefault());
  document.addEventListener('paste', (event) => {
    const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (file) {
      event.preventDefault();
      chooseFile(file);
    }
  });

  return {
    chosen() {
      if (chosenFile) return { file: chosenFile };
      const url = urlInput.value.trim();
      return url ? { url } : null;
    },
  };
}

/** @param {Blob} file @returns {Promise<string>} a base64 data: URL */
export function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}
