package dev.ferry.rdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The CRC-64 of RDB files and DUMP payloads (crc64.c, "Jones" polynomial): reflected, polynomial
 * 0xad93d23594c935a9 (0x95ac9329ac4bc9b5 bit-reversed), initial value 0, no final xor; the check value of
 * "123456789" is 0xe9c6d914c4b8d9ca. A snapshot runs it over gigabytes, so it takes eight bytes a step
 * (slice-by-8, as Redis's crcspeed does) with one table per byte position.
 */
public final class Crc64 {
    private static final long POLY_REFLECTED = 0x95AC9329AC4BC9B5L;
    private static final long[][] T = new long[8][256];
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            T[0][i] = c;
        }
        // T[k][i]: the CRC of byte i followed by k zero bytes
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) T[k][i] = (T[k - 1][i] >>> 8) ^ T[0][(int) (T[k - 1][i] & 0xFF)];
        }
    }

    private Crc64() {}

    /** The CRC after feeding {@code len} bytes of {@code b} from {@code off} to a CRC of {@code crc}. */
    public static long update(long crc, byte[] b, int off, int len) {
        long[] t0 = T[0], t1 = T[1], t2 = T[2], t3 = T[3], t4 = T[4], t5 = T[5], t6 = T[6], t7 = T[7];
        int p = off, end = off + len;
        while (end - p >= 8) {
            long x = crc ^ (long) LONG_LE.get(b, p);
            crc = t7[(int) x & 0xFF] ^ t6[(int) (x >>> 8) & 0xFF] ^ t5[(int) (x >>> 16) & 0xFF]
                ^ t4[(int) (x >>> 24) & 0xFF] ^ t3[(int) (x >>> 32) & 0xFF] ^ t2[(int) (x >>> 40) & 0xFF]
                ^ t1[(int) (x >>> 48) & 0xFF] ^ t0[(int) (x >>> 56) & 0xFF];
            p += 8;
        }
        while (p < end) crc = t0[(int) (crc ^ b[p++]) & 0xFF] ^ (crc >>> 8);
        return crc;
    }

    /** The CRC of one byte fed after {@code crc}. */
    public static long update(long crc, int b) {
        return T[0][(int) (crc ^ b) & 0xFF] ^ (crc >>> 8);
    }

    /** The CRC of a whole array, from 0. */
    public static long of(byte[] b) {
        return update(0, b, 0, b.length);
    }
}
