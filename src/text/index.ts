/**
 * Text from clients: one check for every free-text and identifier field, so prompts, search
 * and filters refuse the same characters and are compared in the same normal form.
 */
export { checkText, type TextRule } from './checkText.js';
