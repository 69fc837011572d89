import { ComponentClosedError } from '../../core/errors.ts';

/** Receives a body's chunks in order: first everything already there, then each new chunk, then the end. */
export interface BodyListener {
  chunk(bytes: Buffer): void;
  /** The body is complete (`aborted`: it never will be, e.g. the stream stopped or the part left the window). */
  end(aborted: boolean): void;
}

/**
 * The bytes of a part or segment while it is being written: chunks are shared (a segment's body holds the same
 * Buffers as its parts), readers may join at any time and get everything from the start, then each chunk as it
 * arrives. Once complete it is immutable.
 */
export class GrowingBody {
  private readonly chunks: Buffer[] = [];
  private readonly listeners = new Set<BodyListener>();
  private bytes = 0;
  private state: 'open' | 'complete' | 'aborted' = 'open';

  get length(): number {
    return this.bytes;
  }

  get complete(): boolean {
    return this.state === 'complete';
  }

  get aborted(): boolean {
    return this.state === 'aborted';
  }

  append(chunk: Buffer): void {
    if (this.state !== 'open') throw new ComponentClosedError(`growing body (${this.state})`, 'append a chunk after finish()');
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    for (const l of this.listeners) l.chunk(chunk);
  }

  /** Marks the body complete (or abandoned) and tells every reader. Idempotent. */
  finish(aborted = false): void {
    if (this.state !== 'open') return;
    this.state = aborted ? 'aborted' : 'complete';
    for (const l of this.listeners) l.end(aborted);
    this.listeners.clear();
  }

  /** All bytes so far as one Buffer. */
  concat(): Buffer {
    return Buffer.concat(this.chunks, this.bytes);
  }

  /** Replays what is there and follows the rest; returns the unsubscribe function. */
  follow(listener: BodyListener): () => void {
    for (const c of this.chunks) listener.chunk(c);
    if (this.state !== 'open') {
      listener.end(this.state === 'aborted');
      return () => {};
    }
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
