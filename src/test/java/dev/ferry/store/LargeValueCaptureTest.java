package dev.ferry.store;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md, "Large values and snapshots", value by value: a large hash, set or sorted set captured by
 * its table's buckets ({@link TableCapture}) and a list by its nodes ({@link ListCapture}) hold exactly the value
 * of the capture's instant while every kind of write goes on between the walk's slices (updates in place, adds
 * that grow the table several times over, removals that shrink it, pops, score changes, captures started in the
 * middle of a rehash, captures one after another on the same value). BgsaveTest checks the same through the
 * protocol and real files; this is the fast, many-seed version.
 */
class LargeValueCaptureTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- hashes ----------------------------------------------------------------------------------------------

    private static Map<String, String> contents(HashValue h) {
        Map<String, String> m = new HashMap<>();
        h.table().forEach(f -> m.put(s(f.key), s(f.value())));
        return m;
    }

    private static Map<String, String> captured(TableCapture t) {
        Map<String, String> m = new HashMap<>();
        t.read();
        for (int i = 0; i < t.size(); i++) assertNull(m.put(s(t.key(i)), s(t.value(i))), "captured twice");
        return m;
    }

    @Test
    void aHashCapturedByBucketsKeepsItsInstantUnderWrites() {
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            HashValue h = HashValue.forLoading(1000, 0);
            int n = 1 + rnd.nextInt(5000);
            for (int i = 0; i < n; i++) h.set(b("f" + i), b("v" + i), 0, 64);
            if (rnd.nextBoolean()) for (int i = n; !rehashing(h.table()); i++) h.set(b("f" + i), b("v" + i), 0, 64);
            boolean grow = rnd.nextBoolean();
            int slice = rnd.nextBoolean() ? 1 + rnd.nextInt(32) : 200 + rnd.nextInt(2000);
            for (int round = 0; round < 3; round++) {
                Map<String, String> atEpoch = contents(h);
                TableCapture t = assertInstanceOf(TableCapture.class, h.frozen());
                int added = 0;
                while (!t.step(slice)) {
                    for (int w = 0; w < 20; w++) {
                        int op = rnd.nextInt(10);
                        String f = "f" + rnd.nextInt(n + 100);
                        if (grow ? op < 5 : op < 1) h.set(b("r" + round + "new" + added++), b("n"), 0, 64);
                        else if (op < 7) h.set(b(f), b("changed" + round), 0, 64);
                        else h.delete(b(f));
                    }
                }
                assertFalse(h.table().inSnapshot());
                assertEquals(atEpoch, captured(t), "seed " + seed + " round " + round);
            }
        }
    }

    private static boolean rehashing(HashTable<?> t) {
        return t.buckets() > 4 && Integer.bitCount(t.buckets()) == 2;
    }

    // ---- sets ------------------------------------------------------------------------------------------------

    @Test
    void aSetCapturedByBucketsKeepsItsInstantUnderWrites() {
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            SetValue set = SetValue.emptyHashtable();
            int n = 1 + rnd.nextInt(5000);
            for (int i = 0; i < n; i++) set.add(b("m" + i), 512);
            for (int round = 0; round < 3; round++) {
                List<String> atEpoch = new ArrayList<>();
                set.forEachMember(m -> atEpoch.add(s(m)));
                atEpoch.sort(null);
                TableCapture t = assertInstanceOf(TableCapture.class, set.frozen());
                int added = 0;
                while (!t.step(1 + rnd.nextInt(64))) {
                    for (int w = 0; w < 20; w++) {
                        int op = rnd.nextInt(10);
                        if (op < 3) set.add(b("r" + round + "n" + added++), 512);
                        else if (op < 6) set.remove(b("m" + rnd.nextInt(n)));
                        else if (op < 8 && set.size() > 0) set.remove(set.randomMember().key);
                        else set.add(b("m" + rnd.nextInt(n)), 512);
                    }
                }
                List<String> seen = new ArrayList<>();
                t.read();
                for (int i = 0; i < t.size(); i++) seen.add(s(t.key(i)));
                seen.sort(null);
                assertEquals(atEpoch, seen, "seed " + seed + " round " + round);
            }
        }
    }

    // ---- sorted sets -----------------------------------------------------------------------------------------

    private static Map<String, Double> contents(ZSetValue z) {
        Map<String, Double> m = new HashMap<>();
        z.forEach((bb, off, len, score) -> m.put(new String(bb, off, len, StandardCharsets.UTF_8), score));
        return m;
    }

    @Test
    void aSortedSetCapturedByBucketsKeepsItsInstantUnderWrites() {
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            ZSetValue z = ZSetValue.emptySkiplist();
            int n = 1 + rnd.nextInt(5000);
            for (int i = 0; i < n; i++) z.add(b("m" + i), rnd.nextInt(100), 0, 128, 64);
            for (int round = 0; round < 3; round++) {
                Map<String, Double> atEpoch = contents(z);
                TableCapture t = assertInstanceOf(TableCapture.class, z.frozen());
                int added = 0;
                while (!t.step(1 + rnd.nextInt(64))) {
                    for (int w = 0; w < 20; w++) {
                        int op = rnd.nextInt(12);
                        String m = "m" + rnd.nextInt(n);
                        if (op < 3) z.add(b("r" + round + "n" + added++), rnd.nextInt(100), 0, 128, 64);
                        else if (op < 6) z.add(b(m), rnd.nextInt(100), 0, 128, 64);
                        else if (op < 7) z.add(b(m), 1, ZSetValue.IN_INCR, 128, 64);
                        else if (op < 9) z.remove(b(m));
                        else if (op < 10) z.pop(rnd.nextBoolean(), (bb, off, len, sc) -> { });
                        else if (op < 11 && z.size() > 10) z.removeRange(0, 2);
                        else z.removeRange(range(rnd.nextInt(100), 2));
                    }
                }
                Map<String, Double> seen = new HashMap<>();
                t.read();
                for (int i = 0; i < t.size(); i++) assertNull(seen.put(s(t.key(i)), t.score(i)));
                assertEquals(atEpoch, seen, "seed " + seed + " round " + round);
            }
        }
    }

    private static ZScoreRange range(double min, double width) {
        ZScoreRange r = new ZScoreRange();
        r.min = min;
        r.max = min + width;
        return r;
    }

    // ---- lists -----------------------------------------------------------------------------------------------

    private static List<String> contents(ListValue l) {
        List<String> out = new ArrayList<>();
        for (ListValue.Cursor c = l.cursor(true); c.hasNext(); ) out.add(s(c.next()));
        return out;
    }

    private static List<String> captured(ListCapture l) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.nodeCount(); i++) {
            byte[] lp = l.listpack(i);
            for (int p = Listpack.first(lp); p >= 0; p = Listpack.next(lp, p)) out.add(s(Listpack.text(lp, p)));
        }
        return out;
    }

    @Test
    void aListCapturedByNodesKeepsItsInstantUnderWrites() {
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            ListValue l = new ListValue(rnd.nextBoolean() ? -2 : 1 + rnd.nextInt(200));
            int n = 1 + rnd.nextInt(8000);
            for (int i = 0; i < n; i++) l.pushTail(b(rnd.nextInt(5) == 0 ? Integer.toString(i) : "e" + i));
            for (int round = 0; round < 3; round++) {
                List<String> atEpoch = contents(l);
                ListCapture cap = l.frozen();
                for (int w = 0; w < 400; w++) listWrite(l, rnd, round);
                assertEquals(atEpoch, captured(cap), "seed " + seed + " round " + round);
                cap.release();
                // released: the writes after it change the nodes in place, and the list stays right
                List<String> before = contents(l);
                l.pushHead(b("after"));
                before.add(0, "after");
                assertEquals(before, contents(l));
            }
        }
    }

    private static void listWrite(ListValue l, Random rnd, int round) {
        byte[] v = b("w" + round + "-" + rnd.nextInt(1000));
        long size = l.size();
        switch (rnd.nextInt(11)) {
            case 0 -> l.pushHead(v);
            case 1 -> l.pushTail(v);
            case 2 -> l.popHead();
            case 3 -> l.popTail();
            case 4 -> { if (size > 0) l.set(rnd.nextLong(size), v); }
            case 5 -> { if (size > 0) l.set(rnd.nextLong(size), b("x".repeat(rnd.nextInt(3000)))); }
            case 6 -> { if (size > 0) l.insertAtPivot(l.get(rnd.nextLong(size)), v, rnd.nextBoolean()); }
            case 7 -> { if (size > 0) l.removeMatching(l.get(rnd.nextLong(size)), rnd.nextInt(5) - 2); }
            case 8 -> { if (size > 3) l.removeHead(1 + rnd.nextLong(Math.min(size - 1, 300))); }
            case 9 -> { if (size > 3) l.removeTail(1 + rnd.nextLong(Math.min(size - 1, 300))); }
            default -> { for (int i = 0; i < 50; i++) l.pushTail(b("bulk" + i)); }
        }
        assertTrue(l.size() >= 0);
    }
}
