package dev.ferry.server;

import dev.ferry.archive.ArchiveSettings;
import dev.ferry.archive.ArchiveStore;
import dev.ferry.archive.Archiver;
import dev.ferry.archive.ArchiveStores;
import dev.ferry.archive.ArchiveUrl;
import dev.ferry.archive.FileArchiveStore;
import dev.ferry.archive.Manifest;
import dev.ferry.archive.RestoreTarget;
import dev.ferry.archive.S3Settings;
import dev.ferry.config.FerryConfig;
import dev.ferry.engine.ServerContext;

import java.nio.file.Files;
import java.nio.file.Path;

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
        long maxBytes = bytes("ferry.archive.stream.max-bytes", a.stream().maxBytes());
        long spoolLimit = bytes("ferry.archive.stream.spool-limit", a.stream().spoolLimit());
        return ArchiveSettings.of(a.role(), a.interval(), a.retain(), a.retention(), a.bootstrapFailure(), a.stream().interval(), maxBytes, spoolLimit,
            a.stream().minArchivedLag());
    }

    private static long bytes(String setting, String value) {
        try {
            return dev.ferry.engine.config.ConfigValues.parseMemoryValue(value);
        } catch (dev.ferry.engine.config.InvalidValue e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage());
        }
    }

    /** Checks ferry.archive.* without opening anything (no client, no region or credential chain). */
    static void check(FerryConfig config) {
        settings(config);
        String url = url(config);
        if (!url.isEmpty() && !url.equalsIgnoreCase("none")) ArchiveUrl.parse(url);
        S3Settings.from(config.archive().s3());
        if (config.archive().restoreTo().isPresent()) {
            RestoreTarget.parse(config.archive().restoreTo().get());
            if (url.equalsIgnoreCase("none")) throw new IllegalArgumentException("ferry.archive.restore-to needs an archive: ferry.archive.url is none");
            if (config.replicaof().filter(r -> !r.isBlank()).isPresent()) {
                throw new IllegalArgumentException("ferry.archive.restore-to starts a master: unset ferry.replicaof");
            }
        }
    }

    /** The restore point of ferry.archive.restore-to, or null for a normal start. */
    static RestoreTarget restoreTarget(FerryConfig config) {
        return config.archive().restoreTo().map(RestoreTarget::parse).orElse(null);
    }

    private static String url(FerryConfig config) {
        return config.archive().url().map(String::trim).orElse("");
    }

    /** The archive's store, or null when ferry.archive.url=none. */
    static ArchiveStore store(FerryConfig config) {
        String url = url(config);
        if (url.equalsIgnoreCase("none")) return null;
        if (url.isEmpty()) return new FileArchiveStore(Path.of(config.dir(), "archive"));
        return ArchiveStores.open(ArchiveUrl.parse(url), S3Settings.from(config.archive().s3()));
    }

    /**
     * True when a start has nothing to bootstrap from and can say so without asking anyone: no local snapshot, and a
     * file archive (the embedded default) without a manifest, a first start. Checked on the start-up thread before
     * the port opens, so such a server answers at once instead of -LOADING while its empty archive is read. S3 is
     * asked by the bootstrap, on a worker, while the server answers -LOADING.
     */
    static boolean firstStartOnAnEmptyFileArchive(FerryConfig config) {
        if (Files.exists(Path.of(config.dir(), config.dbfilename()))) return false;
        String url = url(config);
        if (url.equalsIgnoreCase("none")) return false;
        Path root;
        if (url.isEmpty()) root = Path.of(config.dir(), "archive");
        else if (ArchiveUrl.parse(url) instanceof ArchiveUrl.Local local) root = local.directory();
        else return false;
        return !Files.exists(root.resolve(Manifest.KEY));
    }

    static Archiver archiver(FerryConfig config, ServerContext ctx) {
        ArchiveStore store = store(config);
        return store == null ? null : new Archiver(ctx, store, settings(config), Path.of(config.dir()));
    }
}
