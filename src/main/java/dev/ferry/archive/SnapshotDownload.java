package dev.ferry.archive;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.LongConsumer;

/**
 * An archived snapshot fetched to a local file and checked against its manifest entry before anyone loads it: it
 * is downloaded beside the target under one fixed name (a download a killed process left is replaced, never
 * accumulates), its size, CRC64 trailer and repl-offset are compared with the manifest's, and only then it is
 * renamed onto the target. The loader checks the CRC64 of the whole file.
 */
final class SnapshotDownload {
    private static final Logger LOG = Logger.getLogger(SnapshotDownload.class);

    private SnapshotDownload() {
    }

    /** Why the file is not the snapshot the manifest lists, or null when its size, CRC64 trailer and offset agree. */
    static String mismatch(SnapshotFacts facts, ArchivedSnapshot s) {
        if (facts.size() != s.bytes()) return "it has " + facts.size() + " bytes, the manifest says " + s.bytes();
        if (!facts.crc64Hex().equals(s.crc64())) return "its CRC64 trailer is " + facts.crc64Hex() + ", the manifest says " + s.crc64();
        if (facts.replOffset() != s.offset()) return "its repl-offset is " + facts.replOffset() + ", the manifest says " + s.offset();
        return null;
    }

    /**
     * On a worker thread. Returns null when the snapshot is in place as target, or why it was refused (nothing is
     * left behind then); throws when the archive itself failed.
     */
    static String fetch(ArchiveStore store, ArchivedSnapshot s, Path target, String who, LongConsumer downloaded) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".download");
        long start = System.nanoTime();
        LOG.infof("%s: downloading %s (%.1f MB, replid %s, offset %d)", who, s.key(), s.bytes() / 1e6, s.replId(), s.offset());
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            boolean found = store.download(s.key(), tmp, new Archiver.ProgressLog(who + ": downloading " + s.key(), start,
                (b, t) -> downloaded.accept(b)));
            if (!found) return "the manifest lists it but the archive does not have it";
            String mismatch = mismatch(SnapshotFacts.read(tmp), s);
            if (mismatch != null) return mismatch;
            double secs = (System.nanoTime() - start) / 1e9;
            LOG.infof("%s: downloaded %s, %.1f MB in %.2f s (%.1f MB/s)", who, s.key(), s.bytes() / 1e6, secs, s.bytes() / 1e6 / Math.max(secs, 0.001));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return null;
        } catch (dev.ferry.rdb.RdbFormatException e) {
            return "its header cannot be read: " + e.getMessage();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
