package dev.ferry.archive;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestTest {

    private static ArchivedSnapshot snap(int n) {
        return new ArchivedSnapshot("snapshots/" + n + ".rdb", "a".repeat(40), n * 100L, "00000000000000ff", 1000 + n, n, 10,
            "2026-12-01T00:00:0" + n + "Z", "master");
    }

    private static List<String> keys(Manifest m) {
        return m.snapshots().stream().map(ArchivedSnapshot::key).toList();
    }

    @Test
    void newestFirstAndRetentionDropsTheOldest() {
        Manifest m = Manifest.empty();
        assertNull(m.latest());
        for (int i = 1; i <= 3; i++) m = m.with(snap(i), 2, "now").manifest();
        assertEquals(List.of("snapshots/3.rdb", "snapshots/2.rdb"), keys(m));
        Manifest.Updated next = m.with(snap(4), 2, "later");
        assertEquals(List.of("snapshots/4.rdb", "snapshots/3.rdb"), keys(next.manifest()));
        assertEquals(List.of("snapshots/2.rdb"), next.dropped().stream().map(ArchivedSnapshot::key).toList());
        assertEquals("snapshots/4.rdb", next.manifest().latest().key());
    }

    /**
     * ferry.archive.retention: besides the newest retain, every snapshot created in the window and the newest one
     * before it (a restore to the window's first points starts there); older ones go.
     */
    @Test
    void aRetentionWindowKeepsWhatItsPointsNeed() {
        Manifest m = Manifest.empty();
        for (int i = 1; i <= 5; i++) m = m.with(snap(i), 100, "now").manifest();
        java.time.Instant windowStart = java.time.Instant.parse("2026-12-01T00:00:03.500Z");
        Manifest.Updated next = m.with(snap(6), 2, windowStart, "later");
        assertEquals(List.of("snapshots/6.rdb", "snapshots/5.rdb", "snapshots/4.rdb", "snapshots/3.rdb"), keys(next.manifest()));
        assertEquals(List.of("snapshots/2.rdb", "snapshots/1.rdb"), next.dropped().stream().map(ArchivedSnapshot::key).toList());
        // the count keeps more than the window needs: the count wins
        assertEquals(List.of("snapshots/6.rdb", "snapshots/5.rdb", "snapshots/4.rdb", "snapshots/3.rdb", "snapshots/2.rdb"),
            keys(m.with(snap(6), 5, windowStart, "later").manifest()));
        // a window that begins before every snapshot keeps them all; one after the newest keeps the count (the newest is the base)
        assertEquals(6, m.with(snap(6), 1, java.time.Instant.parse("2026-11-30T00:00:00Z"), "later").manifest().snapshots().size());
        assertEquals(List.of("snapshots/6.rdb"), keys(m.with(snap(6), 1, java.time.Instant.parse("2026-12-02T00:00:00Z"), "later").manifest()));
        // with the window and the count both at 1: the newest inside and the base
        assertEquals(List.of("snapshots/6.rdb", "snapshots/5.rdb"),
            keys(m.with(snap(6), 1, java.time.Instant.parse("2026-12-01T00:00:05.500Z"), "later").manifest()));
    }

    @Test
    void theSameKeyTwiceIsListedOnce() {
        Manifest m = Manifest.empty().with(snap(1), 7, "t").manifest().with(snap(1), 7, "t").manifest();
        assertEquals(List.of("snapshots/1.rdb"), keys(m));
    }

    @Test
    void jsonRoundTripAndRefusals() throws IOException {
        Manifest m = Manifest.empty().with(snap(1), 7, "t").manifest().with(snap(2), 7, "t2").manifest();
        Manifest back = Manifest.parse(m.toJson());
        assertEquals(m, back);
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"replid\"") && json.contains("\"rdb_version\" : 10"), json);
        assertThrows(IOException.class, () -> Manifest.parse("{ not json".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> Manifest.parse("{\"format\": 2, \"snapshots\": []}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> Manifest.parse("{\"format\": 1, \"snapshots\": [{\"offset\": 1}]}".getBytes(StandardCharsets.UTF_8)));
        // fields a later version adds are ignored
        Manifest extra = Manifest.parse("{\"format\": 1, \"future\": true, \"snapshots\": []}".getBytes(StandardCharsets.UTF_8));
        assertNull(extra.latest());
    }

    @Test
    void backoffGrowsAndIsCapped() {
        for (int attempt = 1; attempt < 40; attempt++) {
            long d = Archiver.backoff(attempt);
            long base = Math.min(300_000, 1000L << Math.min(20, attempt - 1));
            assertTrue(d >= base / 2 && d <= base, "attempt " + attempt + ": " + d);
        }
    }
}
