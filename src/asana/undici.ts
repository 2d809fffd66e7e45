// undici is about half a megabyte of JavaScript, some 40 ms to load: every module that sends HTTP
// loads it through here at its first request, so the server answers initialize and tools/list
// without waiting for it.
let undici: Promise<typeof import("undici").default> | undefined;

export function loadUndici(): Promise<typeof import("undici").default> {
  // The CommonJS module object: the same under Node's loader, Vitest and the bundle.
  undici ??= import("undici").then((module) => module.default);
  return undici;
}
