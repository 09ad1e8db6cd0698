package dev.ferry.archive;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * manifest.json: the archive's table of contents, newest snapshot first. Readers take the newest complete
 * snapshot from it with one GET and never LIST the bucket; a snapshot is in it only once its object was uploaded
 * and verified, and an object leaves the bucket only after a manifest without it was written.
 *
 * @param format    the manifest's own format version (1)
 * @param updated   when it was written, ISO-8601 UTC
 * @param snapshots the retained snapshots, newest first
 * @param stream    the archived replication stream: one entry per history (replid), newest last
 */
public record Manifest(
    @JsonProperty("format") int format,
    @JsonProperty("updated") String updated,
    @JsonProperty("snapshots") List<ArchivedSnapshot> snapshots,
    @JsonProperty("stream") List<StreamChain> stream) {

    public static final String KEY = "manifest.json";
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Manifest {
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
        stream = stream == null ? List.of() : List.copyOf(stream);
    }

    static Manifest empty() {
        return new Manifest(FORMAT, null, List.of(), List.of());
    }

    /** The archived stream of history replId, or null. */
    public StreamChain chain(String replId) {
        for (StreamChain c : stream) if (c.replId().equals(replId)) return c;
        return null;
    }

    /** This manifest with chain c replacing the entry of its replid (or added after the others). */
    Manifest withChain(StreamChain c, String now) {
        List<StreamChain> chains = new ArrayList<>();
        boolean replaced = false;
        for (StreamChain old : stream) {
            if (old.replId().equals(c.replId())) {
                // a chain's start only moves forward: retention may have trimmed it since the writer last looked
                chains.add(c.start() >= old.start() ? c : new StreamChain(c.replId(), old.start(), c.end(), c.endTime(),
                    c.parentReplId(), c.parentOffset()));
                replaced = true;
            } else {
                chains.add(old);
            }
        }
        if (!replaced) chains.add(c);
        return new Manifest(FORMAT, now, snapshots, chains);
    }

    /** The newest snapshot, or null when there is none. */
    public ArchivedSnapshot latest() {
        return snapshots.isEmpty() ? null : snapshots.get(0);
    }

    /**
     * This manifest with s as the newest snapshot (replacing an entry of the same key) and at most retain
     * snapshots; what no longer fits is in {@link Updated#dropped}.
     */
    Updated with(ArchivedSnapshot s, int retain, String now) {
        return with(s, retain, null, now);
    }

    /**
     * As above, and, with a window (ferry.archive.retention), also every snapshot that a restore to a point after
     * {@code windowStart} may start from: those created after it, and the newest one created at or before it (the
     * start of the window's first points). Created times that do not parse count as inside the window: nothing is
     * deleted on a guess.
     */
    Updated with(ArchivedSnapshot s, int retain, java.time.Instant windowStart, String now) {
        List<ArchivedSnapshot> kept = new ArrayList<>();
        kept.add(s);
        List<ArchivedSnapshot> dropped = new ArrayList<>();
        boolean windowBaseKept = windowStart == null || !createdAfter(s, windowStart);
        for (ArchivedSnapshot old : snapshots) {
            if (old.key().equals(s.key())) continue;
            boolean inWindow = windowStart != null && createdAfter(old, windowStart);
            if (kept.size() < retain || inWindow) {
                kept.add(old);
                if (!inWindow) windowBaseKept = true;
            } else if (!windowBaseKept) {
                kept.add(old);
                windowBaseKept = true;
            } else {
                dropped.add(old);
            }
        }
        return new Updated(new Manifest(FORMAT, now, kept, stream), dropped);
    }

    private static boolean createdAfter(ArchivedSnapshot s, java.time.Instant t) {
        try {
            return java.time.Instant.parse(s.created()).isAfter(t);
        } catch (RuntimeException e) {
            return true;
        }
    }

    record Updated(Manifest manifest, List<ArchivedSnapshot> dropped) { }

    /** This manifest with chains starting later (replid to its new start), or removed (replid to -1). */
    Manifest withChainStarts(java.util.Map<String, Long> starts, String now) {
        List<StreamChain> chains = new ArrayList<>();
        for (StreamChain c : stream) {
            Long start = starts.get(c.replId());
            if (start == null) chains.add(c);
            else if (start >= 0) chains.add(new StreamChain(c.replId(), Math.max(c.start(), start), c.end(), c.endTime(),
                c.parentReplId(), c.parentOffset()));
        }
        return new Manifest(FORMAT, now, snapshots, chains);
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the manifest as JSON", e);
        }
    }

    /** The archive's manifest, or null when it has none; an IOException when it cannot be read or parsed. */
    static Manifest read(ArchiveStore store) throws IOException {
        byte[] json = store.read(KEY).orElse(null);
        return json == null ? null : parse(json);
    }

    /** Parses a manifest; an IOException says why it cannot be used (bad JSON, a format this version does not know). */
    static Manifest parse(byte[] json) throws IOException {
        Manifest m;
        try {
            m = JSON.readValue(json, Manifest.class);
        } catch (JsonProcessingException e) {
            throw new IOException("manifest.json is not a valid manifest: " + e.getOriginalMessage(), e);
        }
        if (m.format() != FORMAT) throw new IOException("manifest.json has format " + m.format() + ", this Ferry reads format " + FORMAT);
        for (ArchivedSnapshot s : m.snapshots()) {
            if (s == null || s.key() == null || s.key().isEmpty()) throw new IOException("manifest.json lists a snapshot without a key");
        }
        return m;
    }
}
