package dev.ferry.store;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DictTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static StringValue v(String s) {
        return StringValue.fromArgument(b(s), true);
    }

    /** A value's text, copied: a snapshot visitor must copy what it captures, values change in place. */
    static String text(Value v) {
        return new String(((StringValue) v).toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void addFindRemoveThroughResizes() {
        Dict d = new Dict();
        Map<String, String> model = new HashMap<>();
        Random rnd = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            String k = "k" + rnd.nextInt(50_000);
            if (rnd.nextInt(3) == 0) {
                Dict.Entry e = d.remove(b(k));
                assertEquals(model.remove(k) != null, e != null);
            } else if (d.find(b(k)) == null) {
                d.add(b(k), v("v" + i));
                model.put(k, "v" + i);
            }
            if (i % 1000 == 0) d.shrinkIfSparse();
        }
        assertEquals(model.size(), d.size());
        for (Map.Entry<String, String> e : model.entrySet()) {
            assertEquals(e.getValue(), text(d.find(b(e.getKey())).value()));
        }
        // shrink after mass deletion, then everything is still found
        for (String k : model.keySet().toArray(new String[0])) {
            if (k.hashCode() % 10 != 0) {
                d.remove(b(k));
                model.remove(k);
            }
        }
        d.shrinkIfSparse();
        while (d.rehash(100)) { }
        for (String k : model.keySet()) assertTrue(d.find(b(k)) != null, k);
        assertEquals(model.size(), d.size());
    }

    /** Redis's SCAN guarantee: every key present for the whole walk is returned, even across resizes. */
    @Test
    void scanReturnsEveryStableKeyWhileTheTableGrowsAndShrinks() {
        Dict d = new Dict();
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            d.add(b("stable:" + i), v("x"));
            stable.add("stable:" + i);
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int step = 0;
        do {
            cursor = d.scan(cursor, e -> seen.add(new String(e.key(), StandardCharsets.UTF_8)));
            // between cursor steps the table grows fourfold and shrinks back, again and again
            if (step % 40 == 10) for (int i = 0; i < 20_000; i++) d.add(b("churn:" + i), v("y"));
            if (step % 40 == 30) {
                for (int i = 0; i < 20_000; i++) d.remove(b("churn:" + i));
                d.shrinkIfSparse();
            }
            step++;
        } while (cursor != 0 && step < 1_000_000);
        assertEquals(0, cursor, "the walk ends");
        assertTrue(seen.containsAll(stable), "missing " + (stable.size() - seen.stream().filter(stable::contains).count()));
    }

    /**
     * ARCHITECTURE.md rule 3: a snapshot started at an epoch sees exactly the entries of that instant, although
     * writes (updates, deletes, inserts, growth) keep going between its slices.
     */
    @Test
    void snapshotIsPointInTimeWhileWritesContinue() {
        Dict d = new Dict();
        Map<String, String> atEpoch = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            d.add(b("k" + i), v("v0-" + i));
            atEpoch.put("k" + i, "v0-" + i);
        }
        Map<String, String> snapshot = new HashMap<>();
        d.beginSnapshot(chain -> {
            for (Dict.Entry e = chain; e != null; e = e.next()) {
                String prev = snapshot.put(new String(e.key()), text(e.value()));
                assertNull(prev, "entry serialized twice");
            }
        });
        Random rnd = new Random(3);
        int inserted = 0;
        boolean done = false;
        while (!done) {
            for (int w = 0; w < 40; w++) {
                String k = "k" + rnd.nextInt(25_000);
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        Dict.Entry e = d.findForWrite(b(k));
                        if (e != null) e.value = v("changed");
                    }
                    case 1 -> d.remove(b(k));
                    default -> d.add(b("new" + inserted++), v("n"));
                }
            }
            done = d.snapshotStep(64);
        }
        assertFalse(d.snapshotRunning());
        assertEquals(atEpoch, snapshot);
    }

    @Test
    void hashOfARangeIsTheHashOfTheKey() {
        byte[] buf = b("xxkey:000000000042yy");
        assertEquals(Dict.hash(b("key:000000000042")), Dict.hash(buf, 2, 16));
        assertEquals(Dict.hash(b("")), Dict.hash(buf, 5, 0));
        assertEquals(Dict.hash(b("k")), Dict.hash(buf, 2, 1));
    }

    /** A pipeline's prefetch reads only: no rehash step, no snapshot barrier, nothing found or lost. */
    @Test
    void prefetchChangesNothing() {
        Dict d = new Dict();
        int n = 0;
        while (!d.rehashing() || d.size() < 1000) d.add(b("key" + n++), v("v"));
        int[] visits = {0};
        d.beginSnapshot(chain -> visits[0]++);
        byte[] buf = b("key1key999key5nokey");
        int[] offs = {0, 4, 10, 14}, lens = {4, 6, 4, 5};
        Dict.Entry[] scratch = new Dict.Entry[4];
        int size = d.size(), buckets = d.buckets();
        for (int i = 0; i < 100; i++) d.prefetch(buf, offs, lens, 4, scratch);
        assertTrue(d.rehashing(), "prefetch moved the rehash on");
        assertEquals(size, d.size());
        assertEquals(buckets, d.buckets());
        assertEquals(0, visits[0], "prefetch handed buckets to the snapshot");
        for (Dict.Entry e : scratch) assertNull(e, "prefetch kept entries reachable");
        assertEquals("v", text(d.find(b("key999")).value()));
    }
}
