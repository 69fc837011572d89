import { describe, expect, it } from 'vitest';
import { ResourceStack } from '../../core/resource-stack.ts';

describe('ResourceStack', () => {
  it('closes in reverse order and runs every closer even when one throws', async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const stack = new ResourceStack(1000);
    stack.defer('a', () => void order.push('a'));
    stack.defer('b', () => {
      throw new Error('b broke');
    });
    stack.defer('c', async () => void order.push('c'));
    await stack.closeAll((label, err) => errors.push(`${label}: ${(err as Error).message}`));
    expect(order).toEqual(['c', 'a']);
    expect(errors).toEqual(['b: b broke']);
  });

  it('gives up on a closer that never settles, names it, and still closes the rest', async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const stack = new ResourceStack(200);
    stack.defer('media folder', () => void order.push('media folder'));
    stack.defer('Chromium', () => new Promise<void>(() => {})); // e.g. a launch that never answers
    const started = Date.now();
    await stack.closeAll((label, err) => errors.push(`${label}: ${(err as Error).name}: ${(err as Error).message}`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(order).toEqual(['media folder']);
    expect(errors).toEqual(['Chromium: LabTimeoutError: Chromium did not close within 0.2 s; left to the exit hook']);
  });

  it('closes at once what is deferred after closing began (a step still starting when the run was stopped)', async () => {
    const order: string[] = [];
    const stack = new ResourceStack(1000);
    stack.defer('media folder', () => void order.push('media folder'));
    await stack.closeAll();
    expect(stack.closed).toBe(true);
    let closeLate: () => void = () => {};
    const lateClosed = new Promise<void>((resolve) => (closeLate = resolve));
    stack.defer('relay', () => {
      order.push('relay');
      closeLate();
    });
    await lateClosed;
    expect(order).toEqual(['media folder', 'relay']);
  });
});
