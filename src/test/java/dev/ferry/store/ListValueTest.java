package dev.ferry.store;

import dev.ferry.protocol.Reply;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ListValue against a java.util.ArrayList model over random operations, for every kind of fill (counts and
 * size classes): contents, length and LRANGE replies equal the model's, nodes respect the fill, and a
 * duplicate shares no node with its original.
 */
class ListValueTest {

    @Test
    void matchesModelForEveryFill() {
        for (int fill : new int[] {1, 2, 3, 7, 128, -1, -2, -5}) {
            run(fill, 1000L + fill);
        }
    }

    private static void run(int fill, long seed) {
        Random rnd = new Random(seed);
        ListValue l = new ListValue(fill);
        List<byte[]> model = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            byte[] e = element(rnd);
            switch (rnd.nextInt(10)) {
                case 0, 1 -> { l.pushHead(e); model.add(0, e); }
                case 2, 3 -> { l.pushTail(e); model.add(e); }
                case 4 -> { if (!model.isEmpty()) assertArrayEquals(model.remove(0), l.popHead()); }
                case 5 -> { if (!model.isEmpty()) assertArrayEquals(model.remove(model.size() - 1), l.popTail()); }
                case 6 -> {
                    if (model.isEmpty()) break;
                    int i = rnd.nextInt(model.size());
                    boolean after = rnd.nextBoolean();
                    byte[] pivot = model.get(i);
                    int first = indexOf(model, pivot);
                    assertTrue(l.insertAtPivot(pivot, e, after));
                    model.add(after ? first + 1 : first, e);
                }
                case 7 -> {
                    if (model.isEmpty()) break;
                    int i = rnd.nextInt(model.size());
                    assertTrue(l.set(rnd.nextBoolean() ? i : i - model.size(), e));
                    model.set(i, e);
                }
                case 8 -> {
                    long count = rnd.nextInt(5) - 2;
                    long removed = l.removeMatching(e, count);
                    long expected = removeModel(model, e, count);
                    assertEquals(expected, removed);
                }
                default -> {
                    int n = model.isEmpty() ? 0 : rnd.nextInt(Math.min(model.size(), 5) + 1);
                    if (rnd.nextBoolean()) {
                        l.removeHead(n);
                        model.subList(0, n).clear();
                    } else {
                        l.removeTail(n);
                        model.subList(model.size() - n, model.size()).clear();
                    }
                }
            }
            assertEquals(model.size(), l.size(), "fill " + fill + " step " + step);
            if (step % 500 == 0) check(l, model, fill);
        }
        check(l, model, fill);
        ListValue copy = l.duplicate();
        check(copy, model, fill);
        if (l.size() > 0) {
            l.set(0, "changed".getBytes(StandardCharsets.US_ASCII));
            assertNotEquals("changed", new String(copy.get(0), StandardCharsets.US_ASCII));
        }
    }

    private static void check(ListValue l, List<byte[]> model, int fill) {
        for (int i = 0; i < model.size(); i++) assertArrayEquals(model.get(i), l.get(i), "fill " + fill + " index " + i);
        Reply r = new Reply();
        Reply m = new Reply();
        if (!model.isEmpty()) {
            l.replyRange(r, 0, model.size(), false);
            for (byte[] e : model) m.bulk(e);
            assertArrayEquals(m.toByteArray(), r.toByteArray());
            r = new Reply();
            m = new Reply();
            l.replyRange(r, model.size() - 1, model.size(), true);
            for (int i = model.size() - 1; i >= 0; i--) m.bulk(model.get(i));
            assertArrayEquals(m.toByteArray(), r.toByteArray());
        }
        // fill: no node over its count (under a count fill), nor over its byte class
        ListValue.Node n = headOf(l);
        int nodes = 0;
        while (n != null) {
            assertTrue(n.count > 0);
            if (fill > 0) assertTrue(n.count <= fill, "node of " + n.count + " under fill " + fill);
            else assertTrue(n.bytes <= new int[] {4096, 8192, 16384, 32768, 65536}[-fill - 1] || n.count == 1);
            nodes++;
            n = n.next;
        }
        assertEquals(nodes, l.nodeCount());
    }

    private static ListValue.Node headOf(ListValue l) {
        try {
            var f = ListValue.class.getDeclaredField("head");
            f.setAccessible(true);
            return (ListValue.Node) f.get(l);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static int indexOf(List<byte[]> model, byte[] e) {
        for (int i = 0; i < model.size(); i++) if (java.util.Arrays.equals(model.get(i), e)) return i;
        return -1;
    }

    private static long removeModel(List<byte[]> model, byte[] e, long count) {
        long removed = 0;
        if (count >= 0) {
            for (int i = 0; i < model.size() && (count == 0 || removed < count); ) {
                if (java.util.Arrays.equals(model.get(i), e)) {
                    model.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = model.size() - 1; i >= 0 && removed < -count; i--) {
                if (java.util.Arrays.equals(model.get(i), e)) {
                    model.remove(i);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static byte[] element(Random rnd) {
        int r = rnd.nextInt(30);
        String s = r == 0 ? "x".repeat(rnd.nextInt(9000)) : r < 10 ? Integer.toString(rnd.nextInt(20) - 5) : "e" + rnd.nextInt(40);
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
