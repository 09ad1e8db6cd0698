package dev.ferry.store;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md rule 3, the cases a single snapshot over a quiet table does not reach: snapshots one after
 * another (each must see its own instant, not the stamps of the one before), writes that would grow the table
 * while a snapshot runs, and a snapshot that starts in the middle of a rehash (entries in two tables).
 */
class DictSnapshotTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static StringValue v(String s) {
        return DictTest.v(s);
    }

    private static String text(Value v) {
        return DictTest.text(v);
    }

    /** The dict's contents as a map, for comparing with what a snapshot saw. */
    private static Map<String, String> contents(Dict d) {
        Map<String, String> m = new HashMap<>();
        d.forEach(e -> m.put(s(e.key()), text(e.value())));
        return m;
    }

    /**
     * Runs one snapshot to its end while random writes go on between its slices; returns what it saw.
     * {@code insertsPerSlice} new keys arrive between two slices, besides updates and deletes.
     */
    private static Map<String, String> snapshotUnderWrites(Dict d, Random rnd, int round, int insertsPerSlice) {
        Map<String, String> seen = new HashMap<>();
        d.beginSnapshot(chain -> {
            for (Dict.Entry e = chain; e != null; e = e.next()) {
                assertNull(seen.put(s(e.key()), text(e.value())), "entry serialized twice");
            }
        });
        boolean done = false;
        int inserted = 0;
        while (!done) {
            for (int w = 0; w < 20; w++) {
                String k = "k" + rnd.nextInt(30_000);
                if (rnd.nextBoolean()) {
                    Dict.Entry e = d.findForWrite(b(k));
                    if (e != null) e.value = v("r" + round + "-" + w);
                } else {
                    d.remove(b(k));
                }
            }
            for (int i = 0; i < insertsPerSlice; i++) d.add(b("r" + round + "-new" + inserted++), v("n"));
            done = d.snapshotStep(32);
        }
        assertFalse(d.snapshotRunning());
        return seen;
    }

    @Test
    void snapshotsOneAfterAnotherEachSeeTheirOwnInstant() {
        Dict d = new Dict();
        for (int i = 0; i < 20_000; i++) d.add(b("k" + i), v("v" + i));
        Random rnd = new Random(11);
        for (int round = 1; round <= 4; round++) {
            Map<String, String> atEpoch = contents(d);
            assertEquals(atEpoch, snapshotUnderWrites(d, rnd, round, 5), "snapshot " + round);
            // between snapshots the table changes size, so a later snapshot meets fresh stamp arrays too
            for (int i = 0; i < 5_000 * round; i++) d.add(b("grow" + round + "-" + i), v("g"));
            while (d.rehash(1000)) { }
        }
    }

    @Test
    void writesThatWouldGrowTheTableDuringASnapshotStillGiveThePointInTime() {
        Dict d = new Dict();
        for (int i = 0; i < 4_000; i++) d.add(b("k" + i), v("v" + i));
        while (d.rehash(1000)) { }
        int bucketsBefore = d.buckets();
        Map<String, String> atEpoch = contents(d);
        // several times the table's size arrives during the walk: without the growth barrier the table
        // would be resized under the cursor
        assertEquals(atEpoch, snapshotUnderWrites(d, new Random(5), 1, 300));
        assertTrue(d.size() > 4 * bucketsBefore, "the writes outgrew the table: " + d.size() + " keys, " + bucketsBefore + " buckets");
        // growth resumes once the snapshot is over, and nothing was lost
        Map<String, String> after = contents(d);
        d.add(b("trigger"), v("t"));
        while (d.rehash(1000)) { }
        assertTrue(d.buckets() > bucketsBefore, "table grew after the snapshot");
        for (String k : after.keySet()) assertTrue(d.find(b(k)) != null, k);
    }

    @Test
    void aSnapshotStartedMidRehashSeesBothTables() {
        Dict d = new Dict();
        for (int i = 0; i < 8_192; i++) d.add(b("k" + i), v("v" + i));
        while (d.rehash(1000)) { }
        for (int i = 8_192; i < 8_300; i++) d.add(b("k" + i), v("v" + i)); // starts a resize
        assertTrue(d.rehashing(), "a rehash is in progress");
        d.rehash(100);
        assertTrue(d.rehashing(), "still in progress: entries live in two tables");
        Map<String, String> atEpoch = contents(d);
        assertEquals(atEpoch, snapshotUnderWrites(d, new Random(7), 1, 10));
        while (d.rehash(1000)) { }
        assertFalse(d.rehashing());
    }
}
