/**
 * Modules a handler needs only for some requests, loaded on first use: the language server
 * idle (no pack open, no scan running) does not load TypeScript, the Kubernetes client or
 * the scanners, whose evaluation alone costs tens of MB each (bench/server-memory.mjs).
 * esbuild keeps a module imported only with `import()` out of the start-up path.
 */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
    let loading: Promise<T> | undefined;
    return () => {
        loading ??= load();
        return loading;
    };
}
