/**
 * The profile names in the shared AWS files, as the SDK reads them: ~/.aws/config
 * (`[default]`, `[profile NAME]`) and ~/.aws/credentials (`[NAME]`), or the files named by
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The two files consulted; `homeDir` overrides the home folder (and the env overrides). */
export function awsConfigFiles(homeDir?: string, env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
    const home = homeDir ?? env.HOME ?? homedir();
    return {
        config: (homeDir === undefined && env.AWS_CONFIG_FILE) || join(home, '.aws', 'config'),
        credentials: (homeDir === undefined && env.AWS_SHARED_CREDENTIALS_FILE) || join(home, '.aws', 'credentials'),
    };
}

function sections(path: string): string[] {
    let text: string;
    try {
        text = readFileSync(path, 'utf8');
    } catch {
        return [];
    }
    const names: string[] = [];
    for (const line of text.split(/\r?\n/)) {
        const match = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line);
        if (match) names.push(match[1]);
    }
    return names;
}

/** Profile names, sorted, `default` first when present (for the VS Code quick pick). */
export function awsProfiles(homeDir?: string): string[] {
    const files = awsConfigFiles(homeDir);
    const names = new Set<string>();
    for (const section of sections(files.config)) {
        if (section === 'default') names.add('default');
        else {
            // [sso-session x] and [services x] are not profiles
            const match = /^profile\s+(.+)$/.exec(section);
            if (match) names.add(match[1].trim());
        }
    }
    for (const section of sections(files.credentials)) names.add(section);
    return [...names].sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
}

/** The `region` of a profile in the config file, if it sets one. */
export function profileRegion(profile: string, homeDir?: string): string | undefined {
    const { config } = awsConfigFiles(homeDir);
    let text: string;
    try {
        text = readFileSync(config, 'utf8');
    } catch {
        return undefined;
    }
    let inProfile = false;
    for (const line of text.split(/\r?\n/)) {
        const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line);
        if (header) {
            inProfile = header[1] === (profile === 'default' ? 'default' : `profile ${profile}`);
            continue;
        }
        const setting = /^\s*region\s*=\s*(\S+)/.exec(line);
        if (inProfile && setting) return setting[1];
    }
    return undefined;
}
