/** Polls `cond` every 10 ms until it holds; throws after `ms`. */
export async function waitFor(
  cond: () => boolean,
  ms = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${ms} ms`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * `promise`, or a rejection naming `what` after `ms`: an awaited close or
 * reply that never comes fails the test instead of hanging it.
 */
export async function within<T>(
  promise: Promise<T>,
  ms = 10_000,
  what = "promise",
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
