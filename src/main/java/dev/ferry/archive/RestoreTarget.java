package dev.ferry.archive;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The point a restore rebuilds the dataset at ({@code ferry.archive.restore-to}): an offset of a history
 * ({@code <replid>:<offset>}), or a time (ISO-8601, e.g. {@code 2026-12-02T01:30:00Z}) that the archived stream's
 * time marks turn into the last offset the master had reached by then (to within a stream interval).
 */
public record RestoreTarget(String replId, long offset, Instant time) {
    private static final Pattern OFFSET = Pattern.compile("([0-9a-fA-F]{40}):([0-9]{1,18})");

    public static RestoreTarget parse(String text) {
        String t = text.trim();
        Matcher m = OFFSET.matcher(t);
        if (m.matches()) return new RestoreTarget(m.group(1).toLowerCase(java.util.Locale.ROOT), Long.parseLong(m.group(2)), null);
        try {
            return new RestoreTarget(null, -1, Instant.parse(t));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("ferry.archive.restore-to must be <replid>:<offset> (40 hex digits, a colon, an "
                + "offset) or an ISO-8601 UTC time such as 2026-12-02T01:30:00Z, got '" + text + "'");
        }
    }

    boolean byOffset() {
        return time == null;
    }

    /** Whether an archived snapshot lies at or before this point (so the restore can start from it). */
    boolean after(ArchivedSnapshot s) {
        if (byOffset()) return replId.equals(s.replId()) && s.offset() <= offset;
        try {
            return !Instant.parse(s.created()).isAfter(time);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Where a replay stops within seg: offset past which the stream is after this point, or seg.end() when the
     * whole segment is before it.
     */
    long stopIn(StreamSegment seg) {
        if (byOffset()) return Math.min(seg.end(), Math.max(seg.start(), offset));
        // bytes after the last mark have no known time: a writer ends every segment with a mark, so only a segment
        // from elsewhere lacks one, and it is not taken as written by the time
        long stop = seg.start();
        for (int i = 0; i < seg.indexOffsets().length; i++) {
            if (seg.indexMillis()[i] > time.toEpochMilli()) return stop;
            stop = seg.indexOffsets()[i];
        }
        return stop;
    }

    @Override
    public String toString() {
        return byOffset() ? replId + ":" + offset : time.toString();
    }
}
