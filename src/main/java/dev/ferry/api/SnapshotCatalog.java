package dev.ferry.api;

import dev.ferry.archive.ArchivedSnapshot;
import dev.ferry.archive.Archiver;
import dev.ferry.archive.Manifest;
import dev.ferry.archive.SnapshotFacts;
import dev.ferry.config.FerryConfig;
import dev.ferry.server.RespServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The snapshots the admin API knows: the local file of ferry.dir and the archive's manifest. Reads files and the
 * archive, so only on worker threads (the resource's endpoints are blocking).
 */
@ApplicationScoped
public class SnapshotCatalog {
    static final String LOCAL = "local";

    @Inject
    FerryConfig config;
    @Inject
    RespServer resp;

    /** The archived snapshots, newest first, or why they cannot be read; url null when there is no archive. */
    record Archived(String url, String error, List<ArchivedSnapshot> snapshots) { }

    Path localFile() {
        return Path.of(config.dir(), config.dbfilename());
    }

    Archived archived() {
        Archiver a = resp.archiver();
        if (a == null) return new Archived(null, null, List.of());
        try {
            Manifest m = a.readManifest();
            return new Archived(a.store().describe(), null, m == null ? List.of() : m.snapshots());
        } catch (IOException e) {
            return new Archived(a.store().describe(), e.getMessage(), List.of());
        }
    }

    /** The local snapshot, or null when there is none (or it cannot be read). */
    SnapshotView local() {
        return local(archived().snapshots());
    }

    /** The same, told whether it is archived by a list of archived snapshots already read. */
    SnapshotView local(List<ArchivedSnapshot> archivedSnapshots) {
        Path file = localFile();
        try {
            SnapshotFacts f = SnapshotFacts.read(file);
            String created = Files.getLastModifiedTime(file).toInstant().toString();
            boolean archived = archivedSnapshots.stream().anyMatch(s -> f.replOffset() == s.offset()
                && f.crc64Hex().equals(s.crc64()) && String.valueOf(f.replId()).equals(String.valueOf(s.replId())));
            return new SnapshotView(LOCAL, "local", null, f.replId(), f.replOffset(), f.size(), null, f.rdbVersion(), f.crc64Hex(),
                created, resp.context() != null && resp.context().replicationLinks().isReplica() ? "replica" : "master", archived);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
