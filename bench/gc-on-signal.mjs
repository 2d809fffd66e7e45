// Preloaded into a server under bench/http.mjs (`node --expose-gc --import …`): on SIGUSR2 the
// process collects its garbage and writes one line to stderr with its memory, so that memory per
// session is read from the heap that is live, not from whenever V8 last collected. Stdout is left
// alone. Nothing else of the server changes.
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.stderr.write(
    `bench-memory ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers })}\n`,
  );
});
