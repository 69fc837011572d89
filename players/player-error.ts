import { LabError } from '../core/errors.ts';

/**
 * A player cannot run in this page: its config lacks what it needs, the browser lacks a feature, signaling refused.
 * Thrown in the page; the harness sees its message (page errors and a rejected start() carry only the text).
 */
export class PlayerError extends LabError {
  override name = 'PlayerError';
}
