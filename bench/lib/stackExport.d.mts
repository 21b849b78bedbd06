// Types of stackExport.mjs, for the TypeScript tests that import it.
export const SECRET_SIG: string;
export const SECRET_VALUE: string;

export function writeStackExport(
    file: string,
    options?: { targetBytes?: number; services?: number; seed?: number; changed?: number; project?: string; stack?: string },
): Promise<{ bytes: number; resources: number; services: number }>;
