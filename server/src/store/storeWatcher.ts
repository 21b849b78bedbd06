import { watch, type FSWatcher } from 'node:fs';

/**
 * Watches store folders for `.json` files being replaced or removed (by this or another
 * process) and reports each changed name once per burst of events (names in one group,
 * e.g. a shard's two files, share a burst). Temporary files, backups, locks and damaged
 * copies do not end in `.json` and are ignored.
 */
export class StoreWatcher {
    private readonly watchers: FSWatcher[] = [];
    private readonly pending = new Map<string, NodeJS.Timeout>();
    private closed = false;

    /** `onChange(folder, null)` means the platform did not say which file changed. */
    constructor(
        folders: string[],
        private readonly onChange: (folder: string, name: string | null) => void,
        private readonly debounceMs = 50,
        /** Names with the same group are reported once per burst, with the last name seen. */
        private readonly groupOf: (folder: string, name: string) => string = (_folder, name) => name,
    ) {
        for (const folder of folders) {
            let watcher: FSWatcher;
            try {
                watcher = watch(folder, { persistent: false }, (_event, name) => {
                    const file = name === null ? null : name.toString();
                    if (file === null || file.endsWith('.json')) this.schedule(folder, file);
                });
            } catch (error) {
                // e.g. ENOSPC when the inotify watch limit is reached
                this.close();
                throw error;
            }
            // the folder was deleted or became unreadable: stop watching it, the store reports errors on use
            watcher.on('error', () => watcher.close());
            this.watchers.push(watcher);
        }
    }

    private schedule(folder: string, name: string | null): void {
        if (this.closed) return;
        const id = `${folder}\0${name === null ? '' : this.groupOf(folder, name)}`;
        clearTimeout(this.pending.get(id));
        this.pending.set(
            id,
            setTimeout(() => {
                this.pending.delete(id);
                if (!this.closed) this.onChange(folder, name);
            }, this.debounceMs),
        );
    }

    close(): void {
        this.closed = true;
        for (const timer of this.pending.values()) clearTimeout(timer);
        this.pending.clear();
        for (const watcher of this.watchers) watcher.close();
        this.watchers.length = 0;
    }
}
