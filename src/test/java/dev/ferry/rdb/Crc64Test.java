package dev.ferry.rdb;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Crc64 against crc64.c's check value, the fact-sheet trailers, a bit-at-a-time reference, and in pieces. */
class Crc64Test {
    @Test
    void checkValueOf123456789() {
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void trailerOfAnEmptyRdb() {
        // "REDIS0010" + EOF: the trailer bytes a9 fd 37 fe 89 a7 7e eb, little-endian
        byte[] b = "REDIS0010\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(0xeb7ea789fe37fda9L, Crc64.of(b));
    }

    @Test
    void tableMatchesBitwiseReferenceAtEveryLengthAndOffset() {
        Random rnd = new Random(1);
        byte[] data = new byte[300];
        rnd.nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; len + off <= data.length; len += 1 + len / 7) {
                assertEquals(bitwise(0, data, off, len), Crc64.update(0, data, off, len), "off " + off + " len " + len);
            }
        }
    }

    @Test
    void incrementalEqualsWhole() {
        Random rnd = new Random(2);
        byte[] data = new byte[100_000];
        rnd.nextBytes(data);
        long whole = Crc64.of(data);
        for (int round = 0; round < 50; round++) {
            long crc = 0;
            int p = 0;
            while (p < data.length) {
                int n = Math.min(data.length - p, rnd.nextInt(3000));
                if (rnd.nextInt(10) == 0 && n > 0) {
                    crc = Crc64.update(crc, data[p]);
                    n = 1;
                } else {
                    crc = Crc64.update(crc, data, p, n);
                }
                p += n;
            }
            assertEquals(whole, crc);
        }
    }

    private static long bitwise(long crc, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x95AC9329AC4BC9B5L : crc >>> 1;
        }
        return crc;
    }
}
