/**
 * The shipped templates, checked the way a user would meet them: scaffolded into a folder,
 * their manifests parsed, their TypeScript type-checked against the @pulumi/policy and
 * @pulumi/aws types installed in this repository, and the AWS packs run for real (a pack
 * process serving the Analyzer gRPC API, as the Pulumi engine starts it) against every case
 * of test/fixtures/resources/aws-compliance-cases.json.
 *
 * The Azure, GCP and Kubernetes provider SDKs are not installed here, so those templates get
 * a syntax and structure check only (full type-check when the SDK is resolvable).
 */
import * as grpc from '@grpc/grpc-js';
import * as analyzerGrpc from '@pulumi/pulumi/proto/analyzer_grpc_pb';
import * as analyzerPb from '@pulumi/pulumi/proto/analyzer_pb';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as semver from 'semver';
import ts from 'typescript';
import * as YAML from 'yaml';
import { listTemplates, scaffoldPack, type TemplateInfo } from '../../../server/src/packs/scaffold';
import { PACK_NAME_PATTERN } from '../../../server/src/shared/names';

// google-protobuf ships no type declarations; these are the message types the generated Pulumi code expects.
type StructMessage = NonNullable<Parameters<analyzerPb.AnalyzeRequest['setProperties']>[0]>;
type EmptyMessage = Parameters<analyzerGrpc.AnalyzerClient['getAnalyzerInfo']>[0];
const { Struct } = require('google-protobuf/google/protobuf/struct_pb') as {
    Struct: { fromJavaScript(value: Record<string, unknown>): StructMessage };
};
const { Empty } = require('google-protobuf/google/protobuf/empty_pb') as { Empty: new () => EmptyMessage };

function repoRoot(): string {
    for (const start of [__dirname, process.cwd()]) {
        let dir = start;
        for (;;) {
            if (existsSync(path.join(dir, 'templates', 'aws-typescript', 'template.json'))) return dir;
            const parent = path.dirname(dir);
            if (parent === dir) break;
            dir = parent;
        }
    }
    throw new Error(`No templates/ folder above ${__dirname} or ${process.cwd()}`);
}

const root = repoRoot();
const templatesDir = path.join(root, 'templates');
const nodeModules = path.join(root, 'node_modules');
const fixtureFile = path.join(root, 'test', 'fixtures', 'resources', 'aws-compliance-cases.json');

/** The provider SDK each template depends on. */
const PROVIDERS: Record<string, string> = {
    'aws-typescript': '@pulumi/aws',
    'aws-javascript': '@pulumi/aws',
    'aws-compliance-typescript': '@pulumi/aws',
    'azure-typescript': '@pulumi/azure-native',
    'gcp-typescript': '@pulumi/gcp',
    'kubernetes-typescript': '@pulumi/kubernetes',
};

const LEVELS = ['advisory', 'mandatory', 'remediate', 'disabled'];

let work: string;
const scaffolded = new Map<string, string>();
let templates: TemplateInfo[];

before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'pi-templates-test-'));
    templates = listTemplates(templatesDir);
    for (const t of templates) {
        const result = await scaffoldPack({ template: t.name, dir: path.join(work, t.name), templatesDir });
        // The SDKs as installed in this repository stand in for the pack's own `npm install`.
        symlinkSync(nodeModules, path.join(result.dir, 'node_modules'), 'dir');
        scaffolded.set(t.name, result.dir);
    }
});

after(() => {
    rmSync(work, { recursive: true, force: true });
});

function packDir(name: string): string {
    const dir = scaffolded.get(name);
    assert.ok(dir, `template ${name} was not scaffolded`);
    return dir;
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
    return ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => work,
        getNewLine: () => '\n',
    });
}

// ---------------------------------------------------------------------------------------
// Manifests

describe('template manifests', () => {
    it('every template folder is listed', () => {
        assert.deepEqual(templates.map((t) => t.name).sort(), Object.keys(PROVIDERS).sort());
    });

    for (const name of Object.keys(PROVIDERS)) {
        it(`${name}: PulumiPolicy.yaml, package.json and tsconfig.json are valid`, () => {
            const dir = packDir(name);
            const policyYaml = YAML.parse(readFileSync(path.join(dir, 'PulumiPolicy.yaml'), 'utf8')) as Record<string, unknown>;
            assert.equal(policyYaml.runtime, 'nodejs');
            assert.equal(typeof policyYaml.description, 'string');
            assert.ok((policyYaml.description as string).length > 10);
            assert.deepEqual(Object.keys(policyYaml).sort(), ['description', 'runtime']);

            const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
            assert.equal(manifest.version, '0.0.1');
            assert.equal(manifest.name, name);
            const deps: Record<string, string> = manifest.dependencies;
            const policyMin = semver.minVersion(deps['@pulumi/policy']);
            assert.ok(policyMin && semver.gte(policyMin, '1.21.0') && policyMin.major === 1, `@pulumi/policy ${deps['@pulumi/policy']}`);
            assert.equal(semver.minVersion(deps['@pulumi/pulumi'])?.major, 3);
            assert.ok(deps[PROVIDERS[name]], `${name} must depend on ${PROVIDERS[name]}`);
            if (PROVIDERS[name] === '@pulumi/aws') {
                assert.equal(semver.minVersion(deps['@pulumi/aws'])?.major, 7);
            }

            if (name.endsWith('-typescript')) {
                assert.ok(manifest.devDependencies?.typescript, 'typescript devDependency');
                assert.ok(manifest.devDependencies?.['@types/node'], '@types/node devDependency');
                const config = ts.readConfigFile(path.join(dir, 'tsconfig.json'), ts.sys.readFile);
                assert.equal(config.error, undefined, config.error && formatDiagnostics([config.error]));
                assert.deepEqual(config.config.files, ['index.ts']);
                assert.equal(config.config.compilerOptions.strict, true);
            }
        });
    }
});

// ---------------------------------------------------------------------------------------
// Type-checking

/** Compiler options from a pack's tsconfig.json. */
function packCompilerOptions(dir: string): ts.ParsedCommandLine {
    const host: ts.ParseConfigFileHost = {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(formatDiagnostics([d])),
    };
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), { noEmit: true }, host);
    assert.ok(parsed);
    assert.deepEqual(parsed.errors, []);
    return parsed;
}

/**
 * Type-checks entry files under the given compiler options, in one program: @pulumi/aws's
 * declarations are large, and parsing them once keeps this test in seconds.
 * JavaScript entries are checked the way an editor with checkJs would.
 */
function typeCheck(files: string[], options: ts.CompilerOptions): Map<string, readonly ts.Diagnostic[]> {
    const program = ts.createProgram({ rootNames: files, options: { ...options, allowJs: true, checkJs: true, noEmit: true } });
    const all = ts.getPreEmitDiagnostics(program);
    const byFile = new Map<string, readonly ts.Diagnostic[]>();
    for (const file of files) {
        byFile.set(file, all.filter((d) => d.file && path.resolve(d.file.fileName) === path.resolve(file)));
    }
    const elsewhere = all.filter((d) => !d.file || !files.some((f) => path.resolve(f) === path.resolve(d.file!.fileName)));
    assert.equal(elsewhere.length, 0, formatDiagnostics(elsewhere));
    return byFile;
}

/** Copies a scaffolded pack and applies `edit` to its entry point. */
function brokenCopy(name: string, entry: string, edit: (source: string) => string): string {
    const dir = path.join(work, `${name}-broken-${Date.now()}`);
    cpSync(packDir(name), dir, { recursive: true, verbatimSymlinks: true });
    const file = path.join(dir, entry);
    const source = readFileSync(file, 'utf8');
    const edited = edit(source);
    assert.notEqual(edited, source, 'the edit must change the source');
    writeFileSync(file, edited);
    return dir;
}

describe('type-check against the installed @pulumi/policy and @pulumi/aws 7 types', () => {
    const entries = {
        'aws-typescript': () => path.join(packDir('aws-typescript'), 'index.ts'),
        'aws-compliance-typescript': () => path.join(packDir('aws-compliance-typescript'), 'index.ts'),
        'aws-javascript': () => path.join(packDir('aws-javascript'), 'index.js'),
    };
    let brokenTs: string;
    let brokenJs: string;
    let results: Map<string, readonly ts.Diagnostic[]>;

    before(() => {
        const options = packCompilerOptions(packDir('aws-compliance-typescript')).options;
        // One program serves every pack only because the TypeScript templates share their compiler options.
        const tsconfig = (name: string) => ts.readConfigFile(path.join(packDir(name), 'tsconfig.json'), ts.sys.readFile).config;
        for (const name of ['aws-typescript', 'azure-typescript', 'gcp-typescript', 'kubernetes-typescript']) {
            assert.deepEqual(tsconfig(name), tsconfig('aws-compliance-typescript'), `${name}/tsconfig.json differs`);
        }
        brokenTs = path.join(
            brokenCopy('aws-compliance-typescript', 'index.ts', (s) => s.replace('volume.encrypted !== true', 'volume.isEncrypted !== true')),
            'index.ts',
        );
        brokenJs = path.join(brokenCopy('aws-javascript', 'index.js', (s) => s.replace('aws.s3.Bucket,', 'aws.s3.Buckit,')), 'index.js');
        results = typeCheck([...Object.values(entries).map((entry) => entry()), brokenTs, brokenJs], options);
    });

    for (const [name, entry] of Object.entries(entries)) {
        it(`${name} type-checks cleanly`, () => {
            const diagnostics = results.get(entry()) ?? [];
            assert.equal(diagnostics.length, 0, formatDiagnostics(diagnostics));
        });
    }

    it('a property that @pulumi/aws 7 does not declare is caught (the check is live)', () => {
        assert.match(formatDiagnostics(results.get(brokenTs) ?? []), /isEncrypted/);
    });

    it('a misspelt resource class in the JavaScript template is caught (the check is live)', () => {
        assert.match(formatDiagnostics(results.get(brokenJs) ?? []), /Buckit/);
    });
});

// ---------------------------------------------------------------------------------------
// Templates whose provider SDK is not installed: syntax and structure

interface PolicyLiteral {
    name: string;
    enforcementLevel?: string;
}

/** Syntax errors plus the policy literals of `new PolicyPack(..., { policies: [...] })`. */
function inspectSource(file: string): { syntaxErrors: string; packName?: string; imports: string[]; policies: PolicyLiteral[] } {
    const text = readFileSync(file, 'utf8');
    const { diagnostics = [] } = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS } });
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const imports = source.statements
        .filter(ts.isImportDeclaration)
        .map((d) => (d.moduleSpecifier as ts.StringLiteral).text);
    let packName: string | undefined;
    const policies: PolicyLiteral[] = [];
    const stringProperty = (object: ts.ObjectLiteralExpression, key: string) => {
        const property = object.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === key);
        return property && ts.isStringLiteral(property.initializer) ? property.initializer.text : undefined;
    };
    const visit = (node: ts.Node) => {
        if (ts.isNewExpression(node) && node.expression.getText() === 'PolicyPack' && node.arguments) {
            const [nameArg, argsArg] = node.arguments;
            packName = ts.isStringLiteral(nameArg) ? nameArg.text : undefined;
            if (argsArg && ts.isObjectLiteralExpression(argsArg)) {
                const list = argsArg.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'policies');
                if (list && ts.isArrayLiteralExpression(list.initializer)) {
                    for (const element of list.initializer.elements) {
                        if (ts.isObjectLiteralExpression(element)) {
                            policies.push({ name: stringProperty(element, 'name') ?? '', enforcementLevel: stringProperty(element, 'enforcementLevel') });
                        }
                    }
                }
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return { syntaxErrors: formatDiagnostics(diagnostics), packName, imports, policies };
}

function resolvable(moduleName: string): boolean {
    try {
        require.resolve(`${moduleName}/package.json`, { paths: [root] });
        return true;
    } catch {
        return false;
    }
}

describe('templates for providers not installed here (syntax and structure only)', () => {
    for (const name of ['azure-typescript', 'gcp-typescript', 'kubernetes-typescript']) {
        it(`${name} parses, imports ${PROVIDERS[name]} and declares valid policies`, (t) => {
            const dir = packDir(name);
            const info = inspectSource(path.join(dir, 'index.ts'));
            assert.equal(info.syntaxErrors, '');
            assert.equal(info.packName, name);
            assert.ok(info.imports.some((i) => i === PROVIDERS[name] || i.startsWith(`${PROVIDERS[name]}/`)), info.imports.join(', '));
            assert.ok(info.imports.includes('@pulumi/policy'));
            assert.ok(info.policies.length >= 1);
            for (const policy of info.policies) {
                assert.match(policy.name, PACK_NAME_PATTERN);
                assert.notEqual(policy.name, 'all');
                assert.ok(policy.enforcementLevel && LEVELS.includes(policy.enforcementLevel), `${policy.name}: enforcementLevel`);
            }
            if (resolvable(PROVIDERS[name])) {
                const entry = path.join(dir, 'index.ts');
                const diagnostics = typeCheck([entry], packCompilerOptions(dir).options).get(entry) ?? [];
                assert.equal(diagnostics.length, 0, formatDiagnostics(diagnostics));
            } else {
                t.diagnostic(`${PROVIDERS[name]} is not installed: ${name} was checked for syntax and structure, not types`);
            }
        });
    }

    it('a syntax error is caught (the check is live)', () => {
        const dir = brokenCopy('gcp-typescript', 'index.ts', (s) => s.replace('policies: [', 'policies: [[,'));
        assert.notEqual(inspectSource(path.join(dir, 'index.ts')).syntaxErrors, '');
    });
});

// ---------------------------------------------------------------------------------------
// Running the AWS packs

interface FixtureResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
}

interface FixtureCase {
    pack: string;
    policy: string;
    policyType: 'resource' | 'stack';
    expectViolation: boolean;
    config?: Record<string, Record<string, unknown>>;
    note?: string;
    resource?: FixtureResource;
    resources?: FixtureResource[];
}

/** A pack process serving the Analyzer API, and a client for it. */
interface RunningPack {
    process: ChildProcess;
    client: analyzerGrpc.AnalyzerClient;
    stderr: () => string;
}

function unary<Res>(invoke: (callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown): Promise<Res> {
    return new Promise((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));
}

/** Starts a pack the way the Pulumi engine does: `node` in the pack folder, port on stdout. */
async function startPack(dir: string, entry: string): Promise<RunningPack> {
    const child = spawn(process.execPath, [entry], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pack in ${dir} printed no port within 60 s; stderr:\n${stderr}`)), 60000);
        child.stdout!.on('data', (d: Buffer) => {
            stdout += d.toString();
            const match = /^(\d+)\s*$/m.exec(stdout);
            if (match) {
                clearTimeout(timer);
                resolve(Number(match[1]));
            }
        });
        child.on('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`pack in ${dir} exited with ${code}; stderr:\n${stderr}`));
        });
    });
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return { process: child, client, stderr: () => stderr };
}

function stopPack(pack: RunningPack | undefined): void {
    if (!pack) return;
    pack.client.close();
    pack.process.kill();
}

/** Compiles index.ts to index.js beside it, with the pack's own compiler options. */
function transpilePack(dir: string): string {
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(formatDiagnostics([d])),
    });
    assert.ok(parsed);
    const output = ts.transpileModule(readFileSync(path.join(dir, 'index.ts'), 'utf8'), { compilerOptions: parsed.options });
    writeFileSync(path.join(dir, 'index.js'), output.outputText);
    return path.join(dir, 'index.js');
}

function resourceMessage(resource: FixtureResource): analyzerPb.AnalyzerResource {
    const message = new analyzerPb.AnalyzerResource();
    message.setType(resource.type);
    message.setUrn(resource.urn);
    message.setName(resource.name);
    message.setProperties(Struct.fromJavaScript(resource.props));
    message.setOptions(new analyzerPb.AnalyzerResourceOptions());
    return message;
}

function analyzeRequest(resource: FixtureResource): analyzerPb.AnalyzeRequest {
    const request = new analyzerPb.AnalyzeRequest();
    request.setType(resource.type);
    request.setUrn(resource.urn);
    request.setName(resource.name);
    request.setProperties(Struct.fromJavaScript(resource.props));
    // Without options the SDK answers "A more recent version of the Pulumi CLI is required".
    request.setOptions(new analyzerPb.AnalyzerResourceOptions());
    return request;
}

const LEVEL_TO_PROTO: Record<string, analyzerPb.EnforcementLevel> = {
    advisory: analyzerPb.EnforcementLevel.ADVISORY,
    mandatory: analyzerPb.EnforcementLevel.MANDATORY,
    remediate: analyzerPb.EnforcementLevel.REMEDIATE,
    disabled: analyzerPb.EnforcementLevel.DISABLED,
};

/** Sends the case's config (or none); a configured policy keeps its declared level. */
async function configure(pack: RunningPack, config: FixtureCase['config'], levels: Map<string, analyzerPb.EnforcementLevel>): Promise<void> {
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [policy, properties] of Object.entries(config ?? {})) {
        const policyConfig = new analyzerPb.PolicyConfig();
        policyConfig.setEnforcementlevel(levels.get(policy) ?? LEVEL_TO_PROTO.advisory);
        policyConfig.setProperties(Struct.fromJavaScript(properties));
        request.getPolicyconfigMap().set(policy, policyConfig);
    }
    await unary((cb) => pack.client.configure(request, cb));
}

/** Diagnostics the pack reports for one case. */
async function runCase(pack: RunningPack, c: FixtureCase): Promise<analyzerPb.AnalyzeDiagnostic[]> {
    if (c.policyType === 'stack') {
        const request = new analyzerPb.AnalyzeStackRequest();
        request.setResourcesList((c.resources ?? []).map(resourceMessage));
        const response = await unary<analyzerPb.AnalyzeResponse>((cb) => pack.client.analyzeStack(request, cb));
        return response.getDiagnosticsList();
    }
    assert.ok(c.resource, `case for ${c.policy} has no resource`);
    const request = analyzeRequest(c.resource);
    const response = await unary<analyzerPb.AnalyzeResponse>((cb) => pack.client.analyze(request, cb));
    return response.getDiagnosticsList();
}

function describeCase(c: FixtureCase): string {
    const subject = c.resource ? `${c.resource.type} '${c.resource.name}'` : `stack [${(c.resources ?? []).map((r) => r.name).join(', ')}]`;
    return `${c.pack}/${c.policy} on ${subject}${c.config ? ' with config' : ''}`;
}

const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8')) as { cases: FixtureCase[] };

describe('AWS packs served over gRPC, against test/fixtures/resources/aws-compliance-cases.json', () => {
    const packs = new Map<string, RunningPack>();
    const infos = new Map<string, analyzerPb.AnalyzerInfo>();

    before(async () => {
        const entries: [string, () => string][] = [
            ['aws-typescript', () => transpilePack(packDir('aws-typescript'))],
            ['aws-javascript', () => path.join(packDir('aws-javascript'), 'index.js')],
            ['aws-compliance-typescript', () => transpilePack(packDir('aws-compliance-typescript'))],
        ];
        await Promise.all(
            entries.map(async ([name, entry]) => {
                const pack = await startPack(packDir(name), entry());
                packs.set(name, pack);
                infos.set(name, await unary<analyzerPb.AnalyzerInfo>((cb) => pack.client.getAnalyzerInfo(new Empty(), cb)));
            }),
        );
    });

    after(() => {
        for (const pack of packs.values()) stopPack(pack);
    });

    function policiesOf(name: string): analyzerPb.PolicyInfo[] {
        const info = infos.get(name);
        assert.ok(info, `${name} did not start`);
        return info.getPoliciesList();
    }

    it('aws-typescript and aws-javascript serve exactly s3-no-public-read, mandatory, under the folder name', () => {
        for (const name of ['aws-typescript', 'aws-javascript']) {
            assert.equal(infos.get(name)?.getName(), name);
            assert.equal(infos.get(name)?.getVersion(), '0.0.1');
            const policies = policiesOf(name);
            assert.deepEqual(policies.map((p) => p.getName()), ['s3-no-public-read']);
            assert.equal(policies[0].getEnforcementlevel(), analyzerPb.EnforcementLevel.MANDATORY);
        }
    });

    it('aws-compliance-typescript declares at least 12 documented policies, a stack policy, config schemas and a remediation', () => {
        const policies = policiesOf('aws-compliance-typescript');
        assert.ok(policies.length >= 12, `only ${policies.length} policies`);
        for (const p of policies) {
            assert.match(p.getName(), PACK_NAME_PATTERN);
            assert.notEqual(p.getName(), 'all');
            assert.ok(p.getDescription().length > 10, `${p.getName()}: description`);
            assert.notEqual(p.getSeverity(), analyzerPb.PolicySeverity.POLICY_SEVERITY_UNSPECIFIED, `${p.getName()}: severity`);
            assert.ok(p.getRemediationSteps().length > 10, `${p.getName()}: remediationSteps`);
            assert.match(p.getUrl(), /^https:\/\//, `${p.getName()}: url`);
            const schema = p.getConfigschema()?.getProperties()?.toJavaScript() ?? {};
            assert.ok(!('enforcementLevel' in schema), `${p.getName()}: configSchema must not declare enforcementLevel`);
        }
        assert.ok(policies.some((p) => p.getPolicyType() === analyzerPb.PolicyType.POLICY_TYPE_STACK), 'a stack policy');
        const tags = policies.find((p) => p.getName() === 'required-tags');
        assert.ok(tags?.getConfigschema()?.getProperties()?.toJavaScript().requiredTags, 'required-tags declares requiredTags');
        assert.ok(policies.some((p) => p.getEnforcementlevel() === analyzerPb.EnforcementLevel.REMEDIATE), 'a remediate policy');
    });

    it('the fixture has a violating and a compliant case for every AWS policy, and nothing else', () => {
        for (const name of ['aws-typescript', 'aws-compliance-typescript']) {
            const declared = policiesOf(name).map((p) => p.getName()).sort();
            const cases = fixture.cases.filter((c) => c.pack === name);
            assert.deepEqual([...new Set(cases.map((c) => c.policy))].sort(), declared);
            for (const policy of declared) {
                const outcomes = new Set(cases.filter((c) => c.policy === policy).map((c) => c.expectViolation));
                assert.deepEqual([...outcomes].sort(), [false, true], `${name}/${policy} needs both outcomes`);
            }
        }
    });

    it('every fixture case gets the expected outcome from the real pack', async () => {
        const failures: string[] = [];
        for (const c of fixture.cases) {
            const pack = packs.get(c.pack);
            assert.ok(pack, `no running pack for ${c.pack}`);
            const levels = new Map(policiesOf(c.pack).map((p) => [p.getName(), p.getEnforcementlevel()]));
            await configure(pack, c.config, levels);
            const diagnostics = (await runCase(pack, c)).filter((d) => d.getPolicyname() === c.policy);
            if (diagnostics.length > 0 !== c.expectViolation) {
                failures.push(`${describeCase(c)}: expected ${c.expectViolation ? 'a violation' : 'no violation'}, got ${diagnostics.map((d) => d.getMessage()).join(' | ') || 'none'}`);
            }
            for (const d of diagnostics) {
                assert.ok(d.getMessage().length > 0, `${describeCase(c)}: empty message`);
            }
        }
        await configure(packs.get('aws-compliance-typescript')!, undefined, new Map());
        assert.deepEqual(failures, []);
    });

    it('the same case runs through the aws-javascript pack with the same outcome', async () => {
        const pack = packs.get('aws-javascript')!;
        for (const c of fixture.cases.filter((x) => x.pack === 'aws-typescript')) {
            const violated = (await runCase(pack, c)).some((d) => d.getPolicyname() === c.policy);
            assert.equal(violated, c.expectViolation, describeCase(c));
        }
    });

    it('s3-no-public-read points the user to the S3 ACL documentation', async () => {
        const c = fixture.cases.find((x) => x.pack === 'aws-typescript' && x.expectViolation);
        assert.ok(c);
        const [diagnostic] = await runCase(packs.get('aws-typescript')!, c);
        assert.match(diagnostic.getMessage(), /docs\.aws\.amazon\.com\/AmazonS3\/.*acl/i);
        assert.equal(diagnostic.getEnforcementlevel(), analyzerPb.EnforcementLevel.MANDATORY);
    });

    it('s3-no-public-acl remediates a public bucket to a private ACL', async () => {
        const pack = packs.get('aws-compliance-typescript')!;
        const c = fixture.cases.find((x) => x.policy === 's3-no-public-acl' && x.expectViolation && x.resource?.type === 'aws:s3/bucket:Bucket');
        assert.ok(c?.resource);
        const request = analyzeRequest(c.resource);
        const response = await unary<analyzerPb.RemediateResponse>((cb) => pack.client.remediate(request, cb));
        const remediation = response.getRemediationsList().find((r) => r.getPolicyname() === 's3-no-public-acl');
        assert.ok(remediation, 'no remediation returned');
        assert.equal(remediation.getProperties()?.toJavaScript().acl, 'private');
    });
});
