package dev.ferry.archive;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The archived stream that no retained snapshot needs any more, removed after the snapshots were trimmed: a
 * history's chain now starts at its oldest retained snapshot, and the chain of an older history none of whose
 * snapshots is retained goes whole (the newest chain always stays: it is being written). Segments are found by
 * walking the chain from its start (no LIST); a segment that reaches past the new start stays, and the chain
 * starts where it does. The manifest is written first, the objects deleted after, as with snapshots.
 */
final class StreamRetention {
    private static final Logger LOG = Logger.getLogger(StreamRetention.class);

    private StreamRetention() {
    }

    /** On the archiver's worker, after written (the manifest with the retained snapshots) was stored. */
    static void trim(ArchiveStore store, ManifestWriter manifests, Manifest written) throws IOException {
        List<StreamChain> chains = written.stream();
        if (chains.isEmpty()) return;
        Map<String, Long> oldest = new HashMap<>();
        for (ArchivedSnapshot s : written.snapshots()) {
            if (s.replId() != null) oldest.merge(s.replId(), s.offset(), Math::min);
        }
        StreamChain newest = chains.get(chains.size() - 1);
        Map<String, Long> starts = new HashMap<>();
        List<String> doomed = new ArrayList<>();
        for (StreamChain c : chains) {
            Long keepFrom = oldest.get(c.replId());
            long until = keepFrom != null ? keepFrom : (c == newest ? -1 : Long.MAX_VALUE);
            if (until <= c.start()) continue;
            long at = c.start();
            // the segments wholly before until; the walk stops at the chain's end, a gap, or one reaching past until
            while (at < Math.min(until, c.end())) {
                String key = StreamSegment.key(c.replId(), at);
                Optional<byte[]> stored = store.read(key);
                if (stored.isEmpty()) break;
                StreamSegment seg = StreamSegment.decode(stored.get());
                if (seg.end() > until) break;
                doomed.add(key);
                at = seg.end();
            }
            starts.put(c.replId(), until == Long.MAX_VALUE ? -1L : at);
        }
        if (doomed.isEmpty() && starts.values().stream().noneMatch(v -> v < 0)) return;
        manifests.update(m -> m.withChainStarts(starts, ManifestWriter.now()));
        for (String key : doomed) {
            try {
                store.delete(key);
            } catch (IOException e) {
                LOG.warnf("Archive: cannot delete %s, no longer needed: %s", key, e.getMessage());
            }
        }
        if (!doomed.isEmpty()) LOG.infof("Archive: %d stream segment(s) no retained snapshot needs deleted", doomed.size());
    }
}
