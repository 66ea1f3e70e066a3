/**
 * A Lambda entry point whose production dependencies are built on the container's first
 * invocation and kept for its life: importing the bundle never fails on a missing variable (the
 * invocation does, and is logged and retried like any other failure), asynchronous dependencies
 * (a secret, a lazily imported adapter) are awaited once, and a failed build is tried again on the
 * next invocation instead of being cached.
 */
export const lazyEntry = <D, A extends unknown[], R>(
  defaultDeps: () => D | Promise<D>,
  makeHandler: (deps: D) => (...args: A) => Promise<R>,
): ((...args: A) => Promise<R>) => {
  let built: Promise<(...args: A) => Promise<R>> | undefined;
  return async (...args: A): Promise<R> => {
    built ??= Promise.resolve()
      .then(defaultDeps)
      .then(makeHandler)
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      });
    return (await built)(...args);
  };
};
