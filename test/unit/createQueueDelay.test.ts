import { describe, expect, it } from 'vitest';
import { createQueueDelay } from '../../src/store/createQueueDelay.js';

/** A queue delay on a clock the test moves. */
function onClock() {
  let time = 0;
  const delay = createQueueDelay(100, () => time);
  return {
    delay,
    at(ms: number) {
      time = ms;
    },
  };
}

describe('createQueueDelay', () => {
  it('reads a burst, where one statement in the window got its connection at once, as no queue', () => {
    const { delay, at } = onClock();
    const waits = [delay.wait(), delay.wait(), delay.wait()];
    at(5);
    waits[0]!(); // 5 ms
    at(80);
    waits[1]!(); // 80 ms
    waits[2]!();
    at(90);
    delay.wait()(); // 0 ms
    at(100);
    expect(delay.current()).toBe(0);
  });

  it('reads a window in which every statement waited as a queue that stood that long', () => {
    const { delay, at } = onClock();
    const waits = [delay.wait(), delay.wait()];
    at(60);
    waits[0]!();
    at(70);
    const third = delay.wait();
    at(90);
    waits[1]!();
    third(); // waited 20 ms
    at(100);
    expect(delay.current()).toBe(20);
  });

  it('counts the oldest wait still open, so a pool that hands out nothing reads as a queue', () => {
    const { delay, at } = onClock();
    delay.wait();
    at(40);
    delay.wait();
    at(450);
    expect(delay.current()).toBe(450);
  });

  it('forgets a queue once a whole window passes without one', () => {
    const { delay, at } = onClock();
    const wait = delay.wait();
    at(90);
    wait();
    at(100);
    expect(delay.current()).toBe(90);
    at(150);
    delay.wait()();
    at(200);
    expect(delay.current()).toBe(0);
    at(1_000);
    expect(delay.current()).toBe(0);
  });

  it('counts a wait once however often its end is reported', () => {
    const { delay, at } = onClock();
    const wait = delay.wait();
    at(30);
    wait();
    at(95);
    wait();
    at(100);
    expect(delay.current()).toBe(30);
  });
});
