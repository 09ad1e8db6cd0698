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
 * another (each must see its own instant, not the stamps of the one before), writes that grow the table
 * while a snapshot runs (rehash steps move buckets under the walk), and a snapshot that starts in the middle of
 * a rehash (entries in two tables).
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
    void theTableGrowsDuringASnapshotAndTheSnapshotKeepsItsPointInTime() {
        Dict d = new Dict();
        for (int i = 0; i < 4_000; i++) d.add(b("k" + i), v("v" + i));
        while (d.rehash(1000)) { }
        int bucketsBefore = d.buckets();
        Map<String, String> atEpoch = contents(d);
        // several times the table's size arrives during the walk: the table resizes (more than once) under the
        // walk's cursor, and every rehash step moves buckets the walk has not reached yet
        assertEquals(atEpoch, snapshotUnderWrites(d, new Random(5), 1, 300));
        // it grew while the snapshot ran (a paused table left chains of ~200): at most two keys per bucket
        assertTrue(d.buckets() > bucketsBefore, "the table resized during the snapshot: " + d.buckets() + " buckets");
        assertTrue(d.buckets() * 2L >= d.size(), d.buckets() + " buckets for " + d.size() + " keys");
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

    /**
     * Many seeds, each a table of random size, possibly mid-rehash, snapshotted while random writes grow it
     * several times over or delete most of it (the cron's shrink and rehash steps run between slices): the
     * snapshot holds exactly the table at its epoch, each entry once.
     */
    @Test
    void randomResizesUnderTheWalkKeepThePointInTime() {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            Dict d = new Dict();
            int n = 1 + rnd.nextInt(6_000);
            for (int i = 0; i < n; i++) d.add(b("k" + i), v("v" + i));
            if (rnd.nextBoolean()) {
                while (d.rehash(1000)) { }
            } else {
                // start in the middle of a resize: entries in two tables, the walk meets the second one
                for (int i = n; !d.rehashing(); i++) d.add(b("k" + i), v("v" + i));
                n = d.size();
            }
            boolean grow = rnd.nextBoolean();
            // a fast walk reaches the second table before the rehash empties the first, a slow one after
            int slice = rnd.nextBoolean() ? 1 + rnd.nextInt(64) : 500 + rnd.nextInt(3000);
            int writes = rnd.nextBoolean() ? 30 : 2;
            Map<String, String> atEpoch = contents(d);
            Map<String, String> seen = new HashMap<>();
            d.beginSnapshot(chain -> {
                for (Dict.Entry e = chain; e != null; e = e.next()) {
                    assertNull(seen.put(s(e.key()), text(e.value())), "entry serialized twice, seed " + 0);
                }
            });
            int added = 0;
            boolean done = false;
            while (!done) {
                for (int w = 0; w < writes; w++) {
                    int op = rnd.nextInt(10);
                    if (grow ? op < 6 : op < 1) {
                        d.add(b("new" + added++), v("n"));
                    } else if (op < 8) {
                        d.remove(b("k" + rnd.nextInt(n)));
                    } else {
                        Dict.Entry e = d.findForWrite(b("k" + rnd.nextInt(n)));
                        if (e != null) e.value = v("changed");
                    }
                }
                if (rnd.nextInt(4) == 0) d.shrinkIfSparse();
                if (rnd.nextInt(3) == 0) d.rehash(1 + rnd.nextInt(50));
                done = d.snapshotStep(slice);
            }
            assertEquals(atEpoch, seen, "seed " + seed);
        }
    }

    /** The walk is inside the second table when the rehash that empties the first one ends. */
    @Test
    void aRehashEndingWhileTheWalkIsInTheSecondTableKeepsItsPlace() {
        Dict d = new Dict();
        for (int i = 0; i < 8_192; i++) d.add(b("k" + i), v("v" + i));
        while (d.rehash(1000)) { }
        for (int i = 8_192; !d.rehashing(); i++) d.add(b("k" + i), v("v" + i));
        Map<String, String> atEpoch = contents(d);
        Map<String, String> seen = new HashMap<>();
        d.beginSnapshot(chain -> {
            for (Dict.Entry e = chain; e != null; e = e.next()) assertNull(seen.put(s(e.key()), text(e.value())));
        });
        assertFalse(d.snapshotStep(8_192 + 100), "the walk is 100 buckets into the second table");
        assertFalse(d.rehash(1 << 20), "the rehash ends under the walk");
        while (!d.snapshotStep(50)) d.remove(b("k" + seen.size()));
        assertEquals(atEpoch, seen);
    }
}
