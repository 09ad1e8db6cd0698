package dev.ferry.rdb;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Builders of the blobs Redis no longer writes, byte for byte as ziplist.c and zipmap.c laid them out, to make
 * old-format RDB files in tests (a writer of Ferry's never needs them).
 */
final class LegacyBlobs {
    private LegacyBlobs() {}

    /** A ziplist of the elements: canonical integers of 1-31 chars in the smallest int encoding, else strings. */
    static byte[] ziplist(List<byte[]> elements) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int prevSize = 0, lastOffset = 10;
        long[] v = new long[1];
        for (byte[] e : elements) {
            int start = 10 + body.size();
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            if (prevSize < 254) {
                entry.write(prevSize);
            } else {
                entry.write(0xFE);
                le(entry, prevSize, 4);
            }
            if (e.length >= 1 && e.length <= 31 && Canonical.parseLong(e, 0, e.length, v)) {
                long x = v[0];
                if (x >= 0 && x <= 12) {
                    entry.write(0xF1 + (int) x);
                } else if (x >= Byte.MIN_VALUE && x <= Byte.MAX_VALUE) {
                    entry.write(0xFE);
                    le(entry, x, 1);
                } else if (x >= Short.MIN_VALUE && x <= Short.MAX_VALUE) {
                    entry.write(0xC0);
                    le(entry, x, 2);
                } else if (x >= -(1 << 23) && x < (1 << 23)) {
                    entry.write(0xF0);
                    le(entry, x, 3);
                } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
                    entry.write(0xD0);
                    le(entry, x, 4);
                } else {
                    entry.write(0xE0);
                    le(entry, x, 8);
                }
            } else {
                int n = e.length;
                if (n < 64) {
                    entry.write(n);
                } else if (n < 16384) {
                    entry.write(0x40 | (n >> 8));
                    entry.write(n & 0xFF);
                } else {
                    entry.write(0x80);
                    entry.write(n >>> 24);
                    entry.write(n >>> 16);
                    entry.write(n >>> 8);
                    entry.write(n);
                }
                entry.writeBytes(e);
            }
            prevSize = entry.size();
            lastOffset = start;
            body.writeBytes(entry.toByteArray());
        }
        ByteArrayOutputStream zl = new ByteArrayOutputStream();
        int total = 10 + body.size() + 1;
        le(zl, total, 4);
        le(zl, lastOffset, 4);
        le(zl, Math.min(elements.size(), 65535), 2);
        zl.writeBytes(body.toByteArray());
        zl.write(0xFF);
        return zl.toByteArray();
    }

    /** A zipmap of field, value pairs (no free bytes, except {@code free} junk bytes after every value). */
    static byte[] zipmap(List<byte[]> pairs, int free) {
        ByteArrayOutputStream zm = new ByteArrayOutputStream();
        int n = pairs.size() / 2;
        zm.write(n < 254 ? n : 254);
        for (int i = 0; i < pairs.size(); i += 2) {
            len(zm, pairs.get(i).length);
            zm.writeBytes(pairs.get(i));
            len(zm, pairs.get(i + 1).length);
            zm.write(free);
            zm.writeBytes(pairs.get(i + 1));
            for (int k = 0; k < free; k++) zm.write('#');
        }
        zm.write(0xFF);
        return zm.toByteArray();
    }

    private static void len(ByteArrayOutputStream out, int n) {
        if (n < 254) {
            out.write(n);
        } else {
            out.write(254);
            le(out, n, 4);
        }
    }

    private static void le(ByteArrayOutputStream out, long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)));
    }
}
