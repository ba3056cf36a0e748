import { describe, expect, it } from 'vitest';
import { createQueueDelay } from '../../src/store/createQueueDelay.js';

/** A queue delay with 100 ms windows on a clock the test moves. */
function onClock() {
  let time = 0;
  const delay = createQueueDelay(100, () => time);
  return {
    delay,
    at(ms: number) {
      time = ms;
    },
    /** Waits that start now and end after the given times, in order. */
    waitsEnding(...ends: number[]) {
      const done = ends.map(() => delay.wait());
      ends.forEach((end, i) => {
        time = end;
        done[i]!();
      });
    },
  };
}

describe('createQueueDelay', () => {
  it('reads a burst, in which some statement got its connection at once, as no queue', () => {
    const { delay, at, waitsEnding } = onClock();
    waitsEnding(5, 80, 80);
    at(90);
    delay.free();
    at(100);
    expect(delay.current()).toBe(0);
  });

  it('reads a window in which every statement queued as a queue that stood as long as the shortest wait', () => {
    const { delay, at } = onClock();
    const [first, second] = [delay.wait(), delay.wait()];
    at(60);
    first();
    at(70);
    const third = delay.wait();
    at(90);
    second();
    third(); // waited 20 ms
    at(100);
    expect(delay.current()).toBe(20);
  });

  it('takes one slow wait alone in its window for a statement behind another, not for a queue', () => {
    const { delay, at, waitsEnding } = onClock();
    waitsEnding(90);
    at(100);
    expect(delay.current()).toBe(0);
  });

  it('counts the oldest wait still open once it has lasted a window, so a pool that hands out nothing reads as a queue', () => {
    const { delay, at } = onClock();
    delay.wait();
    at(60);
    delay.wait();
    at(99);
    expect(delay.current()).toBe(0); // younger than a window: a burst may yet clear it
    at(450);
    expect(delay.current()).toBe(450);
  });

  it('reads no queue in a window after the one that had it, once no statement queues', () => {
    const { delay, at, waitsEnding } = onClock();
    waitsEnding(60, 70);
    at(100);
    expect(delay.current()).toBe(60);
    // Refused requests keep reading; nothing queues any more.
    at(150);
    expect(delay.current()).toBe(60);
    at(200);
    expect(delay.current()).toBe(0);
  });

  it('forgets a queue that no statement or reader saw for more than a window', () => {
    const { delay, at, waitsEnding } = onClock();
    waitsEnding(60, 70);
    at(350);
    expect(delay.current()).toBe(0);
  });

  it('counts a wait once however often its end is reported', () => {
    const { delay, at } = onClock();
    const first = delay.wait();
    const second = delay.wait();
    at(30);
    first();
    at(40);
    second();
    at(95);
    first();
    at(100);
    expect(delay.current()).toBe(30);
  });
});
