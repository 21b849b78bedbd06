/**
 * `policy publish`: validate, bundle, read the pack's own metadata, then record an
 * immutable version. The registry's rules, as Pulumi Cloud's:
 * - validation errors block publishing;
 * - the version tag is PulumiPolicy.yaml `version`, else package.json `version`;
 * - each publish of a pack gets the next integer version, never reused;
 * - a tag that was ever published for a pack is refused, even after it was removed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { valid as validSemver } from 'semver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyInfo, PolicyPackVersion } from '../shared/model';
import { parsePackSource, stringValueOf } from '../packs/packSyntax';
import { formatDiagnostic, packVersionTag, validatePackDir, type PackValidation } from '../packs/validatePack';
import { stagingDirName, type Store } from '../store';
import { artifactDirWithin, artifactRelativePath, buildArtifact } from './artifacts';
import { EXIT_FINDINGS, EXIT_USAGE } from '../exitCodes';
import { UserError, type UserErrorExitCode } from '../userErrors';

/** What publishing needs to learn from the built pack: the metadata the pack itself reports. */
export interface PackMetadata {
    name: string;
    displayName?: string;
    policies: PolicyInfo[];
}

/** Loads an artifact directory out of process and returns the pack's own metadata (getAnalyzerInfo). */
export type ArtifactInspector = (artifactDir: string) => Promise<PackMetadata>;

export type PublishErrorCode = 'invalid-pack' | 'tag-exists' | 'no-version' | 'name-mismatch' | 'build-failed';

export class PublishError extends UserError {
    constructor(
        readonly code: PublishErrorCode,
        message: string,
        readonly validation?: PackValidation,
    ) {
        super(message);
        this.name = 'PublishError';
    }

    /** A pack that fails validation is an error to act on (exit 1); a refused publish (tag taken, no version) is bad input (2). */
    override get exitCode(): UserErrorExitCode {
        return this.code === 'invalid-pack' ? EXIT_FINDINGS : EXIT_USAGE;
    }
}

export interface PublishArgs {
    packDir: string;
    inspect: ArtifactInspector;
    /** Progress lines ("Validating…", "Bundling…"). */
    onProgress?: (message: string) => void;
}

function tagExistsMessage(name: string, tag: string): string {
    return `version tag ${tag} of ${name} already exists: a tag can be published once, ever. Bump "version" in package.json (or PulumiPolicy.yaml) and publish again.`;
}

/** The pack name written in `new PolicyPack("<name>", ...)`, when the source says it literally. */
function staticPackName(entryFile: string): string | undefined {
    const doc = TextDocument.create(pathToFileURL(entryFile).href, entryFile.endsWith('.ts') ? 'typescript' : 'javascript', 0, readFileSync(entryFile, 'utf8'));
    const syntax = parsePackSource(doc);
    const nameArgument = syntax.packs[0]?.nameArgument;
    return nameArgument ? stringValueOf(nameArgument, syntax)?.value : undefined;
}

export async function publishPack(store: Store, args: PublishArgs): Promise<PolicyPackVersion> {
    const progress = args.onProgress ?? (() => undefined);
    progress(`Validating ${args.packDir}`);
    const validation = validatePackDir(args.packDir);
    const packDir = validation.packDir;
    if (validation.errorCount > 0) {
        const lines = validation.files.flatMap((f) => f.diagnostics.filter((d) => d.severity === 1).map((d) => formatDiagnostic(f.file, d)));
        throw new PublishError('invalid-pack', `The pack in ${packDir} has ${validation.errorCount} error(s); fix them before publishing:\n${lines.join('\n')}`, validation);
    }
    const versionTag = packVersionTag(packDir);
    if (!versionTag || !validSemver(versionTag)) {
        throw new PublishError('no-version', `No valid semver version for the pack in ${packDir}: set "version" in package.json or PulumiPolicy.yaml.`);
    }
    const entryFile = validation.entryFile!;
    const expectedName = staticPackName(entryFile);
    // Refuse early, before bundling, when the source names the pack literally.
    if (expectedName) {
        const catalog = await store.readCatalog();
        if (catalog.publishedTags[expectedName]?.includes(versionTag)) throw new PublishError('tag-exists', tagExistsMessage(expectedName, versionTag));
    }

    // swept by the next Store.open if this process is killed mid-publish
    const staging = path.join(store.artifactsDir, stagingDirName());
    try {
        progress(`Bundling ${path.basename(entryFile)} with its dependencies`);
        const digest = await buildArtifact({ packDir, entryFile, packName: expectedName ?? path.basename(packDir), versionTag, outDir: staging });
        progress('Reading the policies from the pack');
        const metadata = await args.inspect(staging);
        if (expectedName && metadata.name !== expectedName) {
            throw new PublishError('name-mismatch', `The pack in ${packDir} says "${expectedName}" in its source but reported "${metadata.name}" when loaded.`);
        }
        return await store.updateCatalog((catalog) => {
            const name = metadata.name;
            // Checked again under the lock: another window or the CLI may have published meanwhile.
            if (catalog.publishedTags[name]?.includes(versionTag)) throw new PublishError('tag-exists', tagExistsMessage(name, versionTag));
            const version = (catalog.lastVersion[name] ?? 0) + 1;
            const artifact = artifactRelativePath(name, version, versionTag);
            // resolved and refused unless inside artifacts/<name>/: never rmSync'd elsewhere
            const finalDir = artifactDirWithin(store.home, { name, artifact });
            mkdirSync(path.dirname(finalDir), { recursive: true });
            if (existsSync(finalDir)) rmSync(finalDir, { recursive: true, force: true });
            renameSync(staging, finalDir);
            const record: PolicyPackVersion = {
                name,
                version,
                versionTag,
                displayName: metadata.displayName,
                policies: metadata.policies,
                publishedAt: new Date().toISOString(),
                digest,
                artifact,
            };
            catalog.packs.push(record);
            catalog.publishedTags[name] = [...(catalog.publishedTags[name] ?? []), versionTag];
            catalog.lastVersion[name] = version;
            return record;
        });
    } finally {
        rmSync(staging, { recursive: true, force: true });
    }
}
