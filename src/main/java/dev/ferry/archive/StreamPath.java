package dev.ferry.archive;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The archived stream a replay walks from a snapshot, across promotions: the chain of the snapshot's history up to
 * where a replica was promoted off it (the child chain's {@code parent_offset}), then the child's chain, and so on to
 * the target history (a restore's) or, for a bootstrap, to the furthest history promoted off it (the one archived last
 * when two were promoted off the same one). Offsets go on across a
 * promotion, as they do for Redis's replid2/second_repl_offset, so one replay runs through every leg.
 */
final class StreamPath {
    /** A history's part of the walk: its chain, from where the walk enters it up to {@code until}. */
    record Leg(StreamChain chain, long until) { }

    /** Histories are walked back at most this far (a manifest with a cycle of parents is not followed forever). */
    private static final int MAX_DEPTH = 64;

    private StreamPath() {
    }

    /**
     * The legs from the snapshot of history replId at offset to target (a replid; null: the reachable history whose
     * chain was archived last). Empty when the snapshot's history has no chain; one leg when nothing branched off it
     * after the snapshot (or the target is the snapshot's own history).
     */
    static List<Leg> from(Manifest m, String replId, long offset, String target) {
        if (m.chain(replId) == null) return List.of();
        StreamChain end = null;
        if (target != null) {
            end = m.chain(target);
            if (end != null && ancestry(m, end, replId, offset) == null) end = null;
        } else {
            // the furthest descendant (a promotion supersedes its history), the newest of those on a tie
            int depth = 0;
            for (StreamChain c : m.stream()) {
                List<StreamChain> a = ancestry(m, c, replId, offset);
                if (a == null) continue;
                if (end == null || a.size() > depth || (a.size() == depth && newer(c, end))) {
                    end = c;
                    depth = a.size();
                }
            }
        }
        if (end == null) end = m.chain(replId);
        List<StreamChain> chains = ancestry(m, end, replId, offset);
        List<Leg> legs = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            StreamChain c = chains.get(i);
            long until = i + 1 < chains.size() ? Math.min(c.end(), chains.get(i + 1).parentOffset()) : c.end();
            legs.add(new Leg(c, until));
        }
        return legs;
    }

    /** Whether the legs hold stream to replay after a snapshot at offset (the first leg covers it, something follows). */
    static boolean replaysAfter(List<Leg> legs, long offset) {
        return !legs.isEmpty() && legs.get(0).chain().start() <= offset && (legs.size() > 1 || legs.get(0).until() > offset);
    }

    /**
     * Whether a snapshot is a starting point for a restore to offset of history target: of that history at or
     * before the offset, or of a history it descends from, at or before where the walk leaves that history.
     */
    static boolean precedes(Manifest m, ArchivedSnapshot s, String target, long offset) {
        if (s.replId() == null) return false;
        if (s.replId().equals(target)) return s.offset() <= offset;
        StreamChain c = m.chain(target);
        if (c == null) return false;
        List<StreamChain> chains = ancestry(m, c, s.replId(), s.offset());
        // the snapshot lies before the branch out of its history, and the point after the snapshot
        return chains != null && chains.size() > 1 && s.offset() <= offset;
    }

    /**
     * The chains from the one of history replId down to c, oldest first, when c descends from replId past offset
     * (every branch along the way at or after offset); null otherwise.
     */
    private static List<StreamChain> ancestry(Manifest m, StreamChain c, String replId, long offset) {
        List<StreamChain> back = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        StreamChain at = c;
        while (at != null && back.size() < MAX_DEPTH && seen.add(at.replId())) {
            back.add(at);
            if (at.replId().equals(replId)) {
                java.util.Collections.reverse(back);
                return back;
            }
            if (at.parentReplId() == null || at.parentOffset() < offset) return null;
            at = m.chain(at.parentReplId());
        }
        return null;
    }

    /** Whether a was archived after b, by their last time marks (a chain without one is the older). */
    private static boolean newer(StreamChain a, StreamChain b) {
        if (a.endTime() == null) return false;
        if (b.endTime() == null) return true;
        try {
            return java.time.Instant.parse(a.endTime()).isAfter(java.time.Instant.parse(b.endTime()));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
