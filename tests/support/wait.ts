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
