package dev.ferry.archive;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * The one way this process changes manifest.json: the snapshot archiver and the stream archiver both announce
 * through it, one change at a time, so neither overwrites the other's. The last manifest written is kept: the
 * stream archiver announces a segment every second and should not read the manifest back each time. It is read
 * again after a failed write (the archive may hold something else then). A manifest that cannot be parsed is
 * replaced, with a warning (the objects it listed stay in the archive, unlisted).
 */
final class ManifestWriter {
    private static final Logger LOG = Logger.getLogger(ManifestWriter.class);

    private final ArchiveStore store;
    private Manifest current;

    ManifestWriter(ArchiveStore store) {
        this.store = store;
    }

    /** Reads (or takes the kept one), applies change and writes the result; on a worker thread. */
    synchronized Manifest update(UnaryOperator<Manifest> change) throws IOException {
        Manifest base = current != null ? current : readForUpdate();
        Manifest next = change.apply(base);
        current = null;
        store.write(Manifest.KEY, next.toJson(), "application/json");
        current = next;
        return next;
    }

    /**
     * The manifest as stored now, kept from here on; on a worker thread. For a node that becomes the archiving one
     * (a promotion): another node wrote the manifest meanwhile, and what this writer kept is stale.
     */
    synchronized Manifest reread() throws IOException {
        current = readForUpdate();
        return current;
    }

    /** The manifest as last written by this writer, else as stored (empty when there is none); on a worker thread. */
    synchronized Manifest current() throws IOException {
        if (current == null) current = readForUpdate();
        return current;
    }

    /** The manifest to change: the stored one, an empty one when there is none, and replaced (warned) when unreadable. */
    private Manifest readForUpdate() throws IOException {
        byte[] json = store.read(Manifest.KEY).orElse(null);
        if (json == null) return Manifest.empty();
        try {
            return Manifest.parse(json);
        } catch (IOException e) {
            LOG.warnf("Archive: %s; writing a new manifest (the snapshots it listed stay in the archive, unlisted)", e.getMessage());
            return Manifest.empty();
        }
    }

    static String now() {
        return Instant.now().toString();
    }
}
