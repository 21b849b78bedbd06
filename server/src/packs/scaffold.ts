/**
 * `policy new`: list the policy pack templates shipped in templates/ and copy one into a
 * folder with the pack name filled in (`npm install` there is npmInstall.ts). Used by the CLI
 * and by the extension's "New Policy Pack" command (through the server); never imports `vscode`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { PACK_NAME_PATTERN } from '../shared/names';
import { UserError } from '../userErrors';

/** Source language of a template; decides whether the entry point is index.ts or index.js. */
export type TemplateLanguage = 'typescript' | 'javascript';

/** A template as described by its template.json. */
export interface TemplateInfo {
    /** Folder name under templates/, e.g. `aws-typescript`; what `policy new <template>` takes. */
    name: string;
    /** One line, shown in the quick pick and by `policy templates`. */
    description: string;
    language: TemplateLanguage;
    /** Absolute path of the template folder. */
    dir: string;
}

export interface ScaffoldOptions {
    /** Template name, e.g. `aws-typescript`. */
    template: string;
    /** Target folder (created if missing); its basename becomes the pack name. */
    dir: string;
    /** Write into a non-empty folder, overwriting the template's files (other files are kept). */
    force?: boolean;
    /** Where the templates live; defaults to {@link defaultTemplatesDir}. */
    templatesDir?: string;
}

export interface ScaffoldResult {
    /** The policy pack name written into index.ts (from the folder name). */
    packName: string;
    /** Absolute path of the pack folder. */
    dir: string;
    /** Files written, relative to `dir`, with `/` separators, sorted. */
    files: string[];
    /** Absolute path of the entry point (index.ts or index.js), to open in the editor. */
    entry: string;
    template: TemplateInfo;
}

export type ScaffoldErrorCode =
    | 'unknown-template'
    | 'bad-template'
    | 'invalid-pack-name'
    | 'directory-not-empty'
    | 'not-a-directory'
    | 'install-failed'
    | 'install-cancelled';

/** An error the user can act on; `code` lets the CLI map it to an exit code. */
export class ScaffoldError extends UserError {
    constructor(
        readonly code: ScaffoldErrorCode,
        message: string,
    ) {
        super(message);
        this.name = 'ScaffoldError';
    }
}

/** Placeholders substituted in every template file. */
const PACK_NAME_PLACEHOLDER = '${PACK_NAME}';
const PACKAGE_NAME_PLACEHOLDER = '${PACKAGE_NAME}';

/** Template metadata file; not copied into the pack. */
const TEMPLATE_METADATA = 'template.json';

/**
 * Stored without its dot so that it does not act as a .gitignore inside this repository
 * (or get dropped by packagers); renamed when copied.
 */
const RENAMED_FILES: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

const TEMPLATES_DIR_ENV = 'POLICY_INSIGHTS_TEMPLATES_DIR';

/**
 * The templates folder at run time. The bundles out/server/server.js and out/cli/cli.js sit
 * two levels below the extension root, next to which templates/ ships. The environment
 * variable POLICY_INSIGHTS_TEMPLATES_DIR overrides it (tests, custom template sets).
 *
 * @param bundleDir directory of the running bundle; tests pass one to check the layout.
 */
export function defaultTemplatesDir(bundleDir: string = __dirname): string {
    const override = process.env[TEMPLATES_DIR_ENV];
    if (override) {
        return path.resolve(override);
    }
    return path.join(bundleDir, '..', '..', 'templates');
}

function isLanguage(value: unknown): value is TemplateLanguage {
    return value === 'typescript' || value === 'javascript';
}

/** Reads one template.json; throws `bad-template` naming the file when it is unusable. */
function readTemplateInfo(templateDir: string): TemplateInfo {
    const file = path.join(templateDir, TEMPLATE_METADATA);
    let raw: unknown;
    try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
        throw new ScaffoldError('bad-template', `Cannot read template metadata ${file}: ${(e as Error).message}`);
    }
    const info = raw as Partial<Record<keyof TemplateInfo, unknown>>;
    const folder = path.basename(templateDir);
    if (info.name !== folder) {
        throw new ScaffoldError('bad-template', `${file}: "name" must be "${folder}" (the folder name), found ${JSON.stringify(info.name)}.`);
    }
    if (typeof info.description !== 'string' || info.description.trim() === '') {
        throw new ScaffoldError('bad-template', `${file}: "description" must be a non-empty string.`);
    }
    if (!isLanguage(info.language)) {
        throw new ScaffoldError('bad-template', `${file}: "language" must be "typescript" or "javascript", found ${JSON.stringify(info.language)}.`);
    }
    return { name: folder, description: info.description, language: info.language, dir: templateDir };
}

/** Every template (a sub-folder with a template.json), sorted by name. */
export function listTemplates(templatesDir: string = defaultTemplatesDir()): TemplateInfo[] {
    let entries: string[];
    try {
        entries = readdirSync(templatesDir);
    } catch (e) {
        throw new ScaffoldError('bad-template', `Cannot read the templates folder ${templatesDir}: ${(e as Error).message}`);
    }
    return entries
        .map((entry) => path.join(templatesDir, entry))
        .filter((dir) => existsSync(path.join(dir, TEMPLATE_METADATA)))
        .map(readTemplateInfo)
        .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The pack name for a folder: its basename, with runs of characters @pulumi/policy does not
 * accept replaced by `-` and cut to 100 characters. Throws `invalid-pack-name` naming the
 * folder when nothing usable is left.
 */
export function packNameFromDir(dir: string): string {
    const folder = path.basename(path.resolve(dir));
    const name = folder
        .replace(/[^a-zA-Z0-9\-_.]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 100);
    if (!PACK_NAME_PATTERN.test(name)) {
        throw new ScaffoldError(
            'invalid-pack-name',
            `Cannot derive a policy pack name from the folder '${path.resolve(dir)}': a pack name needs 1-100 letters, digits, '-', '_' or '.'. ` +
                'Choose a folder whose name uses those characters (--dir).',
        );
    }
    return name;
}

/** An npm-valid package.json name for a pack name (npm wants lower case, no leading `.` or `_`). */
export function npmPackageName(packName: string): string {
    const name = packName
        .toLowerCase()
        .replace(/[^a-z0-9\-_.~]/g, '-')
        .replace(/^[._]+/, '')
        .slice(0, 214);
    return name === '' ? 'policy-pack' : name;
}

/** Template files relative to the template folder, excluding template.json and node_modules. */
async function templateFiles(templateDir: string, sub = ''): Promise<string[]> {
    const out: string[] = [];
    for (const entry of await readdir(path.join(templateDir, sub), { withFileTypes: true })) {
        const relative = sub ? `${sub}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
            if (entry.name !== 'node_modules') {
                out.push(...(await templateFiles(templateDir, relative)));
            }
        } else if (relative !== TEMPLATE_METADATA) {
            out.push(relative);
        }
    }
    return out;
}

function targetName(relative: string): string {
    const parts = relative.split('/');
    const last = parts[parts.length - 1];
    parts[parts.length - 1] = RENAMED_FILES[last] ?? last;
    return parts.join('/');
}

async function ensureWritableFolder(dir: string, force: boolean): Promise<void> {
    let info;
    try {
        info = await stat(dir);
    } catch {
        await mkdir(dir, { recursive: true });
        return;
    }
    if (!info.isDirectory()) {
        throw new ScaffoldError('not-a-directory', `'${dir}' exists and is not a folder; choose another --dir.`);
    }
    const entries = await readdir(dir);
    if (entries.length > 0 && !force) {
        throw new ScaffoldError(
            'directory-not-empty',
            `The folder '${dir}' is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}). ` +
                'Choose an empty folder, or use --force to write the template files into it anyway.',
        );
    }
}

/** Copies a template into `dir`, substituting the pack name. Does not run npm. */
export async function scaffoldPack(options: ScaffoldOptions): Promise<ScaffoldResult> {
    const templatesDir = options.templatesDir ?? defaultTemplatesDir();
    const templates = listTemplates(templatesDir);
    const template = templates.find((t) => t.name === options.template);
    if (!template) {
        throw new ScaffoldError(
            'unknown-template',
            `Unknown template '${options.template}'. Available templates: ${templates.map((t) => t.name).join(', ') || `(none in ${templatesDir})`}.`,
        );
    }
    const dir = path.resolve(options.dir);
    const packName = packNameFromDir(dir);
    await ensureWritableFolder(dir, options.force ?? false);

    const entryName = template.language === 'typescript' ? 'index.ts' : 'index.js';
    const sources = await templateFiles(template.dir);
    if (!sources.includes(entryName)) {
        throw new ScaffoldError('bad-template', `Template '${template.name}' (${template.dir}) has no ${entryName}.`);
    }
    const files: string[] = [];
    for (const source of sources) {
        const text = (await readFile(path.join(template.dir, source), 'utf8'))
            .split(PACK_NAME_PLACEHOLDER)
            .join(packName)
            .split(PACKAGE_NAME_PLACEHOLDER)
            .join(npmPackageName(packName));
        const target = targetName(source);
        await mkdir(path.dirname(path.join(dir, target)), { recursive: true });
        await writeFile(path.join(dir, target), text);
        files.push(target);
    }
    files.sort();
    return { packName, dir, files, entry: path.join(dir, entryName), template };
}
