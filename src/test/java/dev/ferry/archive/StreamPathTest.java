package dev.ferry.archive;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The walk from a snapshot through promotions, as a bootstrap and a restore take it. */
class StreamPathTest {
    private static final String X = "x".repeat(40), Y = "y".repeat(40), Z = "z".repeat(40), W = "w".repeat(40);

    private static Manifest manifest(StreamChain... chains) {
        Manifest m = Manifest.empty();
        for (StreamChain c : chains) m = m.withChain(c, "now");
        return m;
    }

    private static ArchivedSnapshot snap(String replId, long offset) {
        return new ArchivedSnapshot("snapshots/" + replId + offset, replId, offset, "0", 1, 1, 10, "2026-12-01T00:00:00Z", "master");
    }

    private static List<String> walk(List<StreamPath.Leg> legs) {
        return legs.stream().map(l -> l.chain().replId().charAt(0) + ":" + l.until()).toList();
    }

    @Test
    void aBootstrapWalksIntoThePromotedHistoryEvenWhenTheOldOneWasWrittenLast() {
        // the promoted node shipped the old history's tail after its own first segment: the old chain's time is later
        Manifest m = manifest(new StreamChain(X, 0, 500, "2026-12-01T00:00:09Z", null, -1),
            new StreamChain(Y, 400, 900, "2026-12-01T00:00:05Z", X, 400),
            new StreamChain(Z, 0, 50, "2026-12-01T00:00:10Z", null, -1));
        assertEquals(List.of("x:400", "y:900"), walk(StreamPath.from(m, X, 100, null)));
        // a snapshot past the promotion point is not an ancestor of the promoted history: the old one alone
        assertEquals(List.of("x:500"), walk(StreamPath.from(m, X, 450, null)));
        assertEquals(List.of("x:500"), walk(StreamPath.from(m, X, 100, X)));
        assertEquals(List.of(), walk(StreamPath.from(m, W, 100, null)));
    }

    @Test
    void twoPromotionsInARowAndTwoOffTheSameHistory() {
        Manifest m = manifest(new StreamChain(X, 0, 500, "2026-12-01T00:00:01Z", null, -1),
            new StreamChain(Y, 400, 900, "2026-12-01T00:00:02Z", X, 400),
            new StreamChain(Z, 700, 1200, "2026-12-01T00:00:03Z", Y, 700),
            new StreamChain(W, 450, 600, "2026-12-01T00:00:04Z", X, 450));
        assertEquals(List.of("x:400", "y:700", "z:1200"), walk(StreamPath.from(m, X, 100, null)));
        assertEquals(List.of("x:450", "w:600"), walk(StreamPath.from(m, X, 100, W)));
        assertEquals(List.of("x:450", "w:600"), walk(StreamPath.from(m, X, 420, null)));
        assertTrue(StreamPath.precedes(m, snap(X, 100), Z, 1000));
        assertTrue(StreamPath.precedes(m, snap(Y, 650), Z, 1000));
        assertFalse(StreamPath.precedes(m, snap(Y, 800), Z, 1000), "past the promotion to Z");
        assertFalse(StreamPath.precedes(m, snap(X, 420), Z, 1000), "past the promotion to Y");
        assertFalse(StreamPath.precedes(m, snap(Z, 1100), Z, 1000), "after the point");
        assertTrue(StreamPath.precedes(m, snap(Z, 900), Z, 1000));
    }
}
