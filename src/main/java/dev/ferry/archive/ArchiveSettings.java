package dev.ferry.archive;

import java.time.Duration;
import java.util.Locale;

/**
 * What the archive does, as configured ({@code ferry.archive.*}).
 *
 * @param role             which node uploads its snapshots: the master, a replica, or both
 * @param interval         a snapshot is taken and archived at least this often, even without save rules; zero: never
 * @param retain           how many archived snapshots the manifest keeps (older objects are deleted)
 * @param retention        besides those, what a restore to any point of the last this long needs; zero: the count alone
 * @param bootstrapFailure what a start on an empty disk does when the archive cannot give it a snapshot
 * @param streamInterval   how often a segment of the replication stream is archived; zero: no stream archive
 * @param streamMaxBytes   the most stream one segment holds
 * @param spoolLimit       the most stream held while the archive is down or slow; past it, a gap
 * @param minArchivedLag   writes are refused while the stream archive is further behind than this; zero: never
 */
public record ArchiveSettings(Role role, Duration interval, int retain, Duration retention, BootstrapFailure bootstrapFailure,
                              Duration streamInterval, long streamMaxBytes, long spoolLimit, Duration minArchivedLag) {

    public enum Role {
        MASTER, REPLICA, BOTH;

        /** Whether a node that is (or is not) a replica archives its snapshots. */
        boolean archives(boolean isReplica) {
            return this == BOTH || (this == REPLICA) == isReplica;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** fail: stay not-ready and retry, never start empty by accident; empty: start with no data, warned. */
    public enum BootstrapFailure {
        FAIL, EMPTY
    }

    public ArchiveSettings {
        if (retain < 1) throw new IllegalArgumentException("ferry.archive.retain must be at least 1, got " + retain);
        if (retention.isNegative()) throw new IllegalArgumentException("ferry.archive.retention must not be negative");
        if (interval.isNegative()) throw new IllegalArgumentException("ferry.archive.interval must not be negative");
        if (streamInterval.isNegative()) throw new IllegalArgumentException("ferry.archive.stream.interval must not be negative");
        if (streamMaxBytes < 1024 || streamMaxBytes > 256L << 20) {
            throw new IllegalArgumentException("ferry.archive.stream.max-bytes must be between 1kb and 256mb, got " + streamMaxBytes);
        }
        if (spoolLimit < streamMaxBytes) {
            throw new IllegalArgumentException("ferry.archive.stream.spool-limit must be at least ferry.archive.stream.max-bytes ("
                + streamMaxBytes + "), got " + spoolLimit);
        }
        if (minArchivedLag.isNegative()) throw new IllegalArgumentException("ferry.archive.stream.min-archived-lag must not be negative");
        if (!minArchivedLag.isZero()) {
            // the archive is up to an interval behind when all is well: a smaller bound would refuse every other write
            if (streamInterval.isZero()) {
                throw new IllegalArgumentException("ferry.archive.stream.min-archived-lag needs the stream archive: ferry.archive.stream.interval is 0");
            }
            if (minArchivedLag.compareTo(streamInterval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("ferry.archive.stream.min-archived-lag must be at least twice ferry.archive.stream.interval ("
                    + streamInterval.multipliedBy(2).toMillis() + " ms), got " + minArchivedLag.toMillis() + " ms");
            }
        }
    }

    static <E extends Enum<E>> E parse(Class<E> type, String setting, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) allowed.append(allowed.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException(setting + " must be one of " + allowed + ", got '" + value + "'");
        }
    }

    public static ArchiveSettings of(String role, Duration interval, int retain, Duration retention, String bootstrapFailure, Duration streamInterval,
                                     long streamMaxBytes, long spoolLimit, Duration minArchivedLag) {
        return new ArchiveSettings(parse(Role.class, "ferry.archive.role", role), interval, retain, retention,
            parse(BootstrapFailure.class, "ferry.archive.bootstrap-failure", bootstrapFailure), streamInterval, streamMaxBytes,
            spoolLimit, minArchivedLag);
    }
}
