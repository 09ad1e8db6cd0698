package dev.ferry.server;

import dev.ferry.archive.ArchiveSettings;
import dev.ferry.archive.ArchiveStore;
import dev.ferry.archive.Archiver;
import dev.ferry.archive.FileArchiveStore;
import dev.ferry.config.FerryConfig;
import dev.ferry.engine.ServerContext;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads ferry.archive.* into the archive this server uses. Unset url: a file archive in {@code <ferry.dir>/archive}
 * (the embedded default, so the README's run command archives and bootstraps with no cloud account); {@code none}:
 * no archive, no bootstrap.
 */
final class ArchiveSetup {
    private ArchiveSetup() {
    }

    /** The settings, checked: an invalid value stops the start-up with the setting's name. */
    static ArchiveSettings settings(FerryConfig config) {
        FerryConfig.Archive a = config.archive();
        return ArchiveSettings.of(a.role(), a.interval(), a.retain(), a.bootstrapFailure());
    }

    /** The archive's store, or null when ferry.archive.url=none. */
    static ArchiveStore store(FerryConfig config) {
        String url = config.archive().url().map(String::trim).orElse("");
        if (url.equalsIgnoreCase("none")) return null;
        if (url.isEmpty()) return new FileArchiveStore(Path.of(config.dir(), "archive"));
        if (url.toLowerCase(Locale.ROOT).startsWith("file:")) return new FileArchiveStore(Path.of(URI.create(url)));
        throw new IllegalArgumentException("ferry.archive.url: '" + url + "' is not file:///path or none");
    }

    static Archiver archiver(FerryConfig config, ServerContext ctx) {
        ArchiveStore store = store(config);
        return store == null ? null : new Archiver(ctx, store, settings(config), Path.of(config.dir()));
    }
}
