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

    /** Random appends, lends and drops across chunk boundaries give back exactly the bytes appended, in order. */
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
                assertArrayEquals(expected, peek(spool, n), "round " + round);
                spool.drop(n);
                consumed += n;
                assertEquals(1000 + consumed, spool.from());
            }
            assertEquals(all.size() - consumed, spool.size());
        }
        int rest = (int) spool.size();
        assertArrayEquals(Arrays.copyOfRange(all.toByteArray(), (int) consumed, all.size()), peek(spool, rest));
        spool.drop(rest);
        assertEquals(0, spool.size());
        spool.append(new byte[] {7}, 0, 1);
        assertArrayEquals(new byte[] {7}, peek(spool, 1));
    }

    /**
     * A worker encodes the lent bytes while the loop goes on: appends after them, a reset (a new history) and the
     * appends after that must leave them as they were; once released and dropped, their chunks are reused.
     */
    @Test
    void lentBytesStayAsTheyWereUntilReleased() {
        SplittableRandom rnd = new SplittableRandom(3);
        StreamSpool spool = new StreamSpool(64L << 20);
        spool.reset(0);
        byte[] first = new byte[3_500_000];
        rnd.nextBytes(first);
        spool.append(first, 0, first.length);
        spool.drop(700_000); // the lent bytes start inside a chunk
        StreamSegment.Payload lent = spool.lend(2_000_000);
        byte[] more = new byte[5_000_000];
        rnd.nextBytes(more);
        spool.append(more, 0, more.length);
        spool.reset(10);
        spool.append(more, 0, more.length);
        assertArrayEquals(Arrays.copyOfRange(first, 700_000, 2_700_000), concat(lent));
        spool.release();
        spool.drop(spool.size());
        spool.append(more, 0, more.length);
        assertArrayEquals(Arrays.copyOfRange(more, 0, 3_000_000), peek(spool, 3_000_000));
    }

    /** What a worker reads of the first n bytes. */
    private static byte[] peek(StreamSpool spool, int n) {
        byte[] out = concat(spool.lend(n));
        spool.release();
        return out;
    }

    private static byte[] concat(StreamSegment.Payload p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < p.arrays().length; i++) out.write(p.arrays()[i], p.offsets()[i], p.lengths()[i]);
        return out.toByteArray();
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
