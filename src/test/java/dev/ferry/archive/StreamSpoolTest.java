package dev.ferry.archive;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamSpoolTest {

    /** Random appends, peeks and drops across chunk boundaries give back exactly the bytes appended, in order. */
    @Test
    void whatGoesInComesOutInOrderAcrossChunks() {
        SplittableRandom rnd = new SplittableRandom(9);
        StreamSpool spool = new StreamSpool(64L << 20);
        spool.reset(1000);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long consumed = 0;
        for (int round = 0; round < 400; round++) {
            byte[] b = new byte[rnd.nextInt(1, 300_000)];
            rnd.nextBytes(b);
            spool.append(b, 0, b.length);
            all.write(b, 0, b.length);
            if (rnd.nextInt(3) == 0) {
                int n = (int) Math.min(spool.size(), rnd.nextInt(1, 3_000_000));
                byte[] expected = Arrays.copyOfRange(all.toByteArray(), (int) consumed, (int) consumed + n);
                assertArrayEquals(expected, spool.peek(n), "round " + round);
                spool.drop(n);
                consumed += n;
                assertEquals(1000 + consumed, spool.from());
            }
            assertEquals(all.size() - consumed, spool.size());
        }
        int rest = (int) spool.size();
        assertArrayEquals(Arrays.copyOfRange(all.toByteArray(), (int) consumed, all.size()), spool.peek(rest));
        spool.drop(rest);
        assertEquals(0, spool.size());
        spool.append(new byte[] {7}, 0, 1);
        assertArrayEquals(new byte[] {7}, spool.peek(1));
    }

    @Test
    void pastItsBoundItTakesNothingAndSaysSo() {
        StreamSpool spool = new StreamSpool(100);
        spool.reset(0);
        spool.append(new byte[60], 0, 60);
        assertFalse(spool.overflowed());
        spool.append(new byte[50], 0, 50);
        assertTrue(spool.overflowed());
        assertEquals(60, spool.size());
        spool.reset(500);
        assertFalse(spool.overflowed());
        assertEquals(500, spool.from());
    }
}
